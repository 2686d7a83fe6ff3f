export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Gold examples of the class. */
  support: number;
}

export interface Metrics {
  labels: string[];
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassMetrics>;
  /** confusion[gold][predicted], in `labels` order. */
  confusion: number[][];
  n: number;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

/**
 * Scores from gold and predicted labels. `labels` fixes the order of the table; labels seen only in
 * the data are appended. Macro-F1 averages over classes that occur in gold or predictions, so a
 * class the data never mentions does not drag it down.
 */
export function computeMetrics(gold: readonly string[], predicted: readonly string[], labels: readonly string[] = []): Metrics {
  if (gold.length !== predicted.length) throw new RangeError(`gold has ${gold.length} labels, predicted ${predicted.length}`);
  const all = [...labels];
  const index = new Map(all.map((l, i) => [l, i] as const));
  const idx = (l: string) => {
    let i = index.get(l);
    if (i === undefined) {
      i = all.length;
      all.push(l);
      index.set(l, i);
    }
    return i;
  };
  const pairs = gold.map((g, i) => [idx(g), idx(predicted[i]!)] as const);
  const K = all.length;
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (const [g, p] of pairs) confusion[g]![p]!++;
  return fromConfusion(all, confusion);
}

/** Every score from a confusion matrix (rows gold, columns predicted). */
export function fromConfusion(labels: readonly string[], confusion: number[][]): Metrics {
  const K = labels.length;
  let n = 0, correct = 0, f1Sum = 0, counted = 0;
  const perClass: Record<string, ClassMetrics> = {};
  for (let k = 0; k < K; k++) {
    const tp = confusion[k]![k]!;
    let support = 0, predicted = 0;
    for (let j = 0; j < K; j++) {
      support += confusion[k]![j]!;
      predicted += confusion[j]![k]!;
    }
    n += support;
    correct += tp;
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    const f1 = ratio(2 * precision * recall, precision + recall);
    perClass[labels[k]!] = { precision, recall, f1, support };
    if (support > 0 || predicted > 0) {
      f1Sum += f1;
      counted++;
    }
  }
  return { labels: [...labels], accuracy: ratio(correct, n), macroF1: ratio(f1Sum, counted), perClass, confusion, n };
}

const pct = (x: number) => (x * 100).toFixed(1).padStart(6);

/** The scores as a plain-text table: summary line, per-class P/R/F1/support, then the confusion matrix. */
export function formatReport(m: Metrics): string {
  const w = Math.max(5, ...m.labels.map((l) => l.length));
  const lines = [`accuracy ${pct(m.accuracy).trim()}%   macro-F1 ${pct(m.macroF1).trim()}%   n=${m.n}`, ''];
  lines.push(`${'class'.padEnd(w)}  precision  recall      F1  support`);
  for (const l of m.labels) {
    const c = m.perClass[l]!;
    lines.push(`${l.padEnd(w)}     ${pct(c.precision)}  ${pct(c.recall)}  ${pct(c.f1)}  ${String(c.support).padStart(7)}`);
  }
  const cw = Math.max(6, ...m.labels.map((l) => l.length), ...m.confusion.flat().map((v) => String(v).length));
  lines.push('', `confusion (rows gold, columns predicted)`);
  lines.push(`${''.padEnd(w)}  ${m.labels.map((l) => l.padStart(cw)).join(' ')}`);
  m.labels.forEach((l, k) => lines.push(`${l.padEnd(w)}  ${m.confusion[k]!.map((v) => String(v).padStart(cw)).join(' ')}`));
  return lines.join('\n');
}
