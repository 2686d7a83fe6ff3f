import type { Command } from 'commander';
import { createLogger } from '../../config/logger.ts';
import type { Config } from '../../config/schema.ts';
import { ValidationError, type Feedback } from '../../model/index.ts';
import {
  computeMetrics, extractExamples, formatReport, saveModel, splitDeterministic, trainFromRecords, type ClassMetrics, type Example, type Metrics,
} from '../../pipeline/nlp/classifier/index.ts';
import { joinText } from '../../pipeline/stages/common.ts';
import { gatedLevel, gatedRisk, trainEscalationBundle } from '../../pipeline/stages/escalation.ts';
import { bundleTopics, parseTopicLabels, trainTopicBundle, type ClassifierBundle, type MultiLabelExample } from '../../pipeline/stages/topics.ts';
import type { FeedbackIndex } from '../../store/ports.ts';
import { readRecords, type RecordFormat } from '../files/index.ts';

/** The classification tasks a model can be trained for; the stage that will load it depends on this. */
export const TASKS = ['sentiment', 'complaint', 'topics', 'escalation'] as const;
export type Task = (typeof TASKS)[number];

/** Options shared by `allears train` and `allears eval`. */
export interface DataOpts {
  task: string;
  data?: string;
  textCol?: string;
  labelCol?: string;
  format?: RecordFormat;
  delimiter?: string;
  encoding?: string;
  /** commander's --no-header sets this to false. */
  header?: boolean;
}

export function checkTask(task: string | undefined): Task {
  if (!TASKS.includes(task as Task)) throw new ValidationError(`unknown task "${task ?? ''}"`, [{ path: 'task', message: `use one of ${TASKS.join(', ')}` }]);
  return task as Task;
}

/** Every missing option reported at once. */
export function requireOpts(opts: DataOpts, need: ReadonlyArray<'data' | 'textCol' | 'labelCol'> = ['data', 'textCol', 'labelCol']): { data: string; textCol: string; labelCol: string } {
  const missing = need.filter((k) => !opts[k]);
  if (missing.length) {
    throw new ValidationError(`missing ${missing.map(flagName).join(', ')}`, missing.map((k) => ({ path: k, message: `give ${flagName(k)}` })));
  }
  return { data: opts.data!, textCol: opts.textCol!, labelCol: opts.labelCol! };
}

const flagName = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** All readable records of the file; unreadable lines are counted, as `allears import` does. */
export async function readAll(file: string, opts: DataOpts): Promise<{ records: Record<string, unknown>[]; badLines: number }> {
  const records: Record<string, unknown>[] = [];
  let badLines = 0;
  for await (const e of readRecords(file, { format: opts.format, delimiter: opts.delimiter, encoding: opts.encoding, header: opts.header })) {
    if (e.record) records.push(e.record);
    else badLines++;
  }
  return { records, badLines };
}

export interface TrainCommandOpts extends DataOpts {
  out?: string;
  seed?: string;
  epochs?: string;
  balanced?: boolean;
  licence?: string;
  /** Share of the rows held out for the scores (default 0.2; 0 trains on everything). */
  testFraction?: string;
  /** Train on the labels people corrected in the configured store (with --data: on both). */
  fromCorrections?: boolean;
  /** Escalation: labels counted as "escalate" for the AUC (default: the upper half of the levels). */
  positive?: string;
}

/** What runTrain writes to: standard output by default, a buffer in tests. */
export interface Writer {
  write(chunk: string): unknown;
}

/** The labelled-file options train and eval share. */
export function dataOptions(cmd: Command): Command {
  return cmd
    .option('--data <file>', 'labelled data: CSV, TSV, JSONL or JSON')
    .option('--text-col <column>', 'column with the text')
    .option('--label-col <column>', 'column with the label (topics: ids separated by | ; , or a JSON array)')
    .option('--format <format>', 'csv | tsv | jsonl | ndjson | json (default: from the extension)')
    .option('--delimiter <char>', 'CSV delimiter (default: guessed)')
    .option('--encoding <label>', 'file encoding, e.g. gb18030 (default: utf-8)')
    .option('--no-header', 'the CSV has no header row; name columns 1, 2, 3…')
    .option('--positive <labels>', 'escalation: labels that count as "escalate" for the AUC, comma-separated (default: the upper half)');
}

export function registerTrain(program: Command, config: () => Config): void {
  dataOptions(program.command('train')
    .description('train a text classifier from a labelled CSV/JSONL file or from corrected labels, print its scores on a held-out 20%, write the model')
    .requiredOption('--task <task>', TASKS.join(' | ')))
    .option('--out <file>', 'model file to write (default: models/<task>.json)')
    .option('--seed <n>', 'seed of the split and of training', '42')
    .option('--epochs <n>', 'passes over the training data')
    .option('--balanced', 'weigh classes inversely to their size')
    .option('--licence <text>', "the data's licence, for the model card")
    .option('--test-fraction <x>', 'share of the rows held out for the scores; 0 trains on all', '0.2')
    .option('--from-corrections', 'train on the labels people corrected in the configured store (sentiment, complaint, topics); with --data, on both')
    .action(async (opts: TrainCommandOpts) => {
      await runTrain(opts, process.stdout, config);
    });
}

function positiveInt(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ValidationError(`--${field} must be a whole number`, [{ path: field, message: `"${value}" is not a whole number ≥ 0` }]);
  return n;
}

function fraction(value: string | undefined): number {
  const x = value === undefined ? 0.2 : Number(value);
  if (!(x >= 0 && x < 1)) throw new ValidationError('--test-fraction must be at least 0 and below 1', [{ path: 'testFraction', message: `"${value}" is not in [0, 1)` }]);
  return x;
}

/** What `allears train` did; `metrics` are on the held-out rows. */
export interface TrainOutcome {
  task: Task;
  modelPath: string;
  version: string;
  trainRows: number;
  testRows: number;
  skipped: number;
  trainMs: number;
  metrics: Metrics | TopicMetrics;
  /** Escalation only: ROC AUC of the model's risk on the held-out rows. */
  auc?: number | null;
}

/** The `allears train` action, callable without commander. `config` is needed only with --from-corrections. */
export async function runTrain(opts: TrainCommandOpts, out: Writer = process.stdout, config?: () => Config): Promise<TrainOutcome> {
  const task = checkTask(opts.task);
  const corrections = opts.fromCorrections ? await correctedRecords(task, config) : null;
  const { data, textCol, labelCol } = corrections ? { data: opts.data ?? '', textCol: opts.textCol ?? '', labelCol: opts.labelCol ?? '' } : requireOpts(opts);
  if (corrections && data) requireOpts(opts);
  const seed = positiveInt(opts.seed, 'seed') ?? 42;
  const epochs = positiveInt(opts.epochs, 'epochs');
  const testFraction = fraction(opts.testFraction);
  const modelPath = opts.out ?? `models/${task}.json`;
  let { records, badLines } = data ? await readAll(data, opts) : { records: [] as Record<string, unknown>[], badLines: 0 };
  let cols = { textCol, labelCol };
  if (corrections) {
    // One shape for both sources: the file's rows with canonical labels, then the corrected items.
    const fileRows = records.map((r) => ({ text: r[textCol], label: task === 'topics' ? r[labelCol] : canonicalLabel(task, r[labelCol]) }));
    if (records.length) extractExamples(records.slice(0, 1), textCol, labelCol);
    records = [...fileRows, ...corrections];
    cols = { textCol: 'text', labelCol: 'label' };
    out.write(`${corrections.length} corrected items from the store${data ? ` plus ${fileRows.length} rows of ${data}` : ''}\n`);
  }
  const source = [data, corrections ? 'corrections' : ''].filter(Boolean).join(' + ');
  const common = {
    task, balanced: opts.balanced,
    logreg: { seed, ...(epochs !== undefined ? { epochs } : {}) },
    data: { file: source, ...(opts.licence ? { licence: opts.licence } : {}) },
  };
  const started = performance.now();
  let outcome: TrainOutcome;
  if (task === 'topics') {
    const { examples, skipped } = topicExamples(records, cols.textCol, cols.labelCol);
    const { train, test } = splitDeterministic(examples, seed, testFraction);
    // A slice of the training part tunes each topic's threshold; the held-out part only scores.
    const { train: fit, test: valid } = splitDeterministic(train, seed + 1, 0.125);
    const bundle = trainTopicBundle(fit, valid, common);
    const trainMs = performance.now() - started;
    const metrics = topicMetrics(bundle, test);
    await bundle.save(modelPath);
    outcome = { task, modelPath, version: bundle.version, trainRows: train.length, testRows: test.length, skipped, trainMs, metrics };
    out.write(summaryLine(outcome, badLines) + formatTopicReport(metrics));
  } else if (task === 'escalation') {
    const { examples, skipped } = extractExamples(records, cols.textCol, cols.labelCol);
    const { train, test } = splitDeterministic(examples, seed, testFraction);
    const draft = trainEscalationBundle(train, common);
    const trainMs = performance.now() - started;
    const scored = escalationMetrics(draft, test, opts.positive);
    const bundle = trainEscalationBundle(train, common, { metrics: cardMetrics(scored.metrics) });
    await bundle.save(modelPath);
    outcome = { task, modelPath, version: bundle.version, trainRows: train.length, testRows: test.length, skipped, trainMs, metrics: scored.metrics, auc: scored.auc };
    out.write(summaryLine(outcome, badLines) + formatReport(scored.metrics) + `\n\n${aucLine(scored)}`);
  } else {
    const r = trainFromRecords(records, { ...common, textCol: cols.textCol, labelCol: cols.labelCol, splitSeed: seed, testFraction });
    await saveModel(r.classifier, modelPath);
    outcome = { task, modelPath, version: r.classifier.card!.version, trainRows: r.trainRows, testRows: r.testRows, skipped: r.skipped, trainMs: r.trainMs, metrics: r.metrics };
    out.write(summaryLine(outcome, badLines) + formatReport(r.metrics));
  }
  out.write(`\n\nmodel written to ${modelPath} (${outcome.version})\n`);
  return outcome;
}

function summaryLine(o: TrainOutcome, badLines: number): string {
  return `trained "${o.task}" on ${o.trainRows} rows in ${(o.trainMs / 1000).toFixed(1)} s; held out ${o.testRows}`
    + `${o.skipped ? `; ${o.skipped} rows without text or label skipped` : ''}${badLines ? `; ${badLines} unreadable lines` : ''}\n\n`;
}

const cardMetrics = (m: Metrics) => ({ accuracy: m.accuracy, macroF1: m.macroF1, perClass: m.perClass });

// ---------------------------------------------------------------------------------------------
// Learning from corrections.

/** Label names that train the same model whether they come from a file or from people's corrections. */
const SENTIMENT_CANON: Record<string, string> = { positive: 'positive', pos: 'positive', '1': 'positive', neutral: 'neutral', negative: 'negative', neg: 'negative', '0': 'negative' };
const COMPLAINT_CANON: Record<string, string> = {
  complaint: 'complaint', '1': 'complaint', true: 'complaint', yes: 'complaint',
  not_complaint: 'not_complaint', 'not complaint': 'not_complaint', no_complaint: 'not_complaint', '0': 'not_complaint', false: 'not_complaint', no: 'not_complaint',
};

function canonicalLabel(task: Task, v: unknown): unknown {
  if (v === undefined || v === null) return v;
  const key = String(v).trim().toLowerCase();
  const table = task === 'sentiment' ? SENTIMENT_CANON : task === 'complaint' ? COMPLAINT_CANON : {};
  return table[key] ?? v;
}

/** The corrected label of an item for a task, or undefined when people did not correct it. */
export function correctedLabel(f: Feedback, task: Task): string | string[] | undefined {
  const l = f.labels;
  if (!l) return undefined;
  if (task === 'sentiment') return l.sentiment;
  if (task === 'complaint') return l.complaint === undefined ? undefined : l.complaint ? 'complaint' : 'not_complaint';
  if (task === 'topics') return l.topics;
  return undefined;
}

/** Every item in the index that carries a correction for `task`, oldest first, paged through search. */
export async function* correctedItems(index: Pick<FeedbackIndex, 'search'>, task: Task): AsyncGenerator<{ feedback: Feedback; label: string | string[] }> {
  const corrected = [task === 'escalation' ? 'escalationLevel' as const : task];
  let cursor: string | undefined;
  do {
    const page = await index.search({ filters: { corrected, includeDuplicates: true }, sort: 'time', limit: 500, ...(cursor ? { cursor } : {}) });
    for (const f of page.items) {
      const label = correctedLabel(f, task);
      if (label !== undefined) yield { feedback: f, label };
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

async function correctedRecords(task: Task, config: (() => Config) | undefined): Promise<Array<{ text: string; label: unknown }>> {
  if (task === 'escalation') throw new ValidationError('--from-corrections trains sentiment, complaint or topics', [{ path: 'task', message: 'escalation levels are not learnt from corrections yet' }]);
  if (!config) throw new ValidationError('--from-corrections needs the configuration', [{ path: 'config', message: 'missing' }]);
  // Imported lazily: the runtime pulls in the whole server, which training from a file never needs.
  const { openRuntime } = await import('../runtime.ts');
  const rt = await openRuntime(config(), createLogger('warn'));
  try {
    const rows: Array<{ text: string; label: unknown }> = [];
    for await (const { feedback, label } of correctedItems(rt.index, task)) rows.push({ text: joinText(feedback), label: Array.isArray(label) ? JSON.stringify(label) : label });
    if (!rows.length) throw new ValidationError(`no item in the store carries a corrected ${task} label`, [{ path: 'fromCorrections', message: 'nothing to learn from' }]);
    return rows;
  } finally {
    await rt.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Topics: multi-label data and scores.

/** Text and topic ids of each record; records without text or label cell are counted, not kept. */
export function topicExamples(records: readonly Record<string, unknown>[], textCol: string, labelCol: string): { examples: MultiLabelExample[]; skipped: number } {
  if (records.length) extractExamples(records.slice(0, 1), textCol, labelCol);
  const examples: MultiLabelExample[] = [];
  let skipped = 0;
  for (const r of records) {
    const text = r[textCol] === undefined || r[textCol] === null ? '' : String(r[textCol]).trim();
    const labels = parseTopicLabels(r[labelCol]);
    if (text && labels) examples.push({ text, labels });
    else skipped++;
  }
  return { examples, skipped };
}

export interface TopicMetrics {
  labels: string[];
  /** Share of examples whose predicted topic set equals the gold set. */
  subsetAccuracy: number;
  microF1: number;
  macroF1: number;
  perClass: Record<string, ClassMetrics & { predicted: number }>;
  n: number;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

/** Per-topic precision/recall/F1 of the bundle's topics against the gold sets. */
export function topicMetrics(bundle: ClassifierBundle, examples: readonly MultiLabelExample[], predict: (text: string) => string[] = (t) => bundleTopics(bundle, t).map((h) => h.id)): TopicMetrics {
  const labels = [...new Set([...bundle.labels, ...examples.flatMap((e) => e.labels)])];
  const c = new Map<string, { tp: number; fp: number; fn: number }>(labels.map((l) => [l, { tp: 0, fp: 0, fn: 0 }]));
  let exact = 0;
  for (const e of examples) {
    const got = new Set(predict(e.text));
    const gold = new Set(e.labels);
    if (got.size === gold.size && [...got].every((l) => gold.has(l))) exact++;
    for (const l of labels) {
      const k = c.get(l)!;
      if (got.has(l) && gold.has(l)) k.tp++;
      else if (got.has(l)) k.fp++;
      else if (gold.has(l)) k.fn++;
    }
  }
  const perClass: TopicMetrics['perClass'] = {};
  let tp = 0, fp = 0, fn = 0, f1Sum = 0, counted = 0;
  for (const l of labels) {
    const k = c.get(l)!;
    const precision = ratio(k.tp, k.tp + k.fp);
    const recall = ratio(k.tp, k.tp + k.fn);
    const f1 = ratio(2 * precision * recall, precision + recall);
    perClass[l] = { precision, recall, f1, support: k.tp + k.fn, predicted: k.tp + k.fp };
    tp += k.tp; fp += k.fp; fn += k.fn;
    if (k.tp + k.fn + k.fp > 0) {
      f1Sum += f1;
      counted++;
    }
  }
  return { labels, subsetAccuracy: ratio(exact, examples.length), microF1: ratio(2 * tp, 2 * tp + fp + fn), macroF1: ratio(f1Sum, counted), perClass, n: examples.length };
}

const pct = (x: number) => (x * 100).toFixed(1).padStart(6);

export function formatTopicReport(m: TopicMetrics): string {
  const w = Math.max(5, ...m.labels.map((l) => l.length));
  const lines = [`subset accuracy ${pct(m.subsetAccuracy).trim()}%   micro-F1 ${pct(m.microF1).trim()}%   macro-F1 ${pct(m.macroF1).trim()}%   n=${m.n}`, ''];
  lines.push(`${'topic'.padEnd(w)}  precision  recall      F1  support  predicted`);
  for (const l of m.labels) {
    const c = m.perClass[l]!;
    lines.push(`${l.padEnd(w)}     ${pct(c.precision)}  ${pct(c.recall)}  ${pct(c.f1)}  ${String(c.support).padStart(7)}  ${String(c.predicted).padStart(9)}`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Escalation: levels and ranking.

/**
 * ROC AUC: the chance that a random positive scores above a random negative (ties count half).
 * Null without both classes.
 */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number | null {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0, np = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (positive[order[k]!]) { rankSum += rank; np++; }
    i = j + 1;
  }
  const nn = scores.length - np;
  return np && nn ? (rankSum - (np * (np + 1)) / 2) / (np * nn) : null;
}

/** `--positive 3,4`, or the upper half of the ordered levels (0–4 → 3, 4; 0/1 → 1). */
export function positiveLevels(levels: readonly string[], spec?: string): Set<string> {
  if (spec) return new Set(spec.split(',').map((s) => s.trim()).filter(Boolean));
  return new Set(levels.slice(Math.ceil(levels.length / 2)));
}

export interface EscalationScores {
  metrics: Metrics;
  auc: number | null;
  positive: string[];
}

/** Level accuracy, macro-F1, per-level P/R, confusion, and the AUC of the risk for the positive levels. */
export function escalationMetrics(bundle: ClassifierBundle, examples: readonly Example[], positiveSpec?: string): EscalationScores {
  const positive = positiveLevels(bundle.labels, positiveSpec);
  const predicted: string[] = [];
  const risks: number[] = [];
  for (const e of examples) {
    const p = bundle.probabilities(e.text);
    predicted.push(gatedLevel(bundle, p));
    risks.push(gatedRisk(p));
  }
  const metrics = computeMetrics(examples.map((e) => e.label), predicted, bundle.labels);
  return { metrics, auc: rocAuc(risks, examples.map((e) => positive.has(e.label))), positive: [...positive] };
}

export function aucLine(s: { auc: number | null; positive: readonly string[] }): string {
  return `ROC AUC of the risk for ${s.positive.join(', ')} against the rest: ${s.auc === null ? 'n/a (one class only)' : s.auc.toFixed(3)}\n`;
}
