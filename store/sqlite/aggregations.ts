import type { Bucket, ScoreStats, SurveyMetric } from '../../model/index.ts';
import type { Column, Dictionary } from './columns.ts';
import type { DocValues } from './doc-values.ts';
import type { Candidates } from './selection.ts';

/** Number of documents per value code; a multi-valued document counts once for each of its values. */
export function countCodes(col: Column, c: Candidates): Int32Array {
  const counts = new Int32Array(col.dict.size);
  const { rowids, n } = c;
  if (col.kind === 'single') {
    const codes = col.codes;
    for (let i = 0; i < n; i++) counts[codes[rowids[i]!]!]!++;
  } else {
    const { slots, overflow } = col;
    const last = slots[slots.length - 1]!;
    for (let i = 0; i < n; i++) {
      const r = rowids[i]!;
      for (const slot of slots) counts[slot[r]!]!++;
      if (last[r] !== 0) for (const code of overflow.get(r) ?? []) counts[code]!++;
    }
  }
  counts[0] = 0;
  return counts;
}

/** Codes with a count, most frequent first, ties by value so results are stable. */
export function topCodes(counts: Int32Array, dict: Dictionary, size: number): number[] {
  const codes: number[] = [];
  for (let code = 1; code < counts.length; code++) if (counts[code]! > 0) codes.push(code);
  codes.sort((a, b) => counts[b]! - counts[a]! || compare(dict.values[a]!, dict.values[b]!));
  return codes.slice(0, size);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function buckets(col: Column | undefined, c: Candidates, size: number): Bucket[] {
  if (!col) return [];
  const counts = countCodes(col, c);
  return topCodes(counts, col.dict, size).map((code) => ({ value: col.dict.values[code]!, count: counts[code]! }));
}

/** Calls fn with each value code of a document for a grouping column (none when it has no value). */
export function codesOf(col: Column, rowid: number, fn: (code: number) => void): void {
  if (col.kind === 'multi') col.forEachCode(rowid, fn);
  else {
    const code = col.codes[rowid]!;
    if (code !== 0) fn(code);
  }
}

interface Acc { count: number; sum: number; min: number; max: number; promoters: number; detractors: number }

/** Survey score statistics; NPS adds the promoter (9–10) and detractor (0–6) shares. */
export function scoreStats(dv: DocValues, c: Candidates, metric: SurveyMetric, groupBy: Column | undefined, size: number): ScoreStats[] {
  const metricCol = dv.single.get('surveyMetric')!;
  const metricCode = metricCol.dict.codeOf(metric);
  const accs = new Map<number, Acc>();
  const add = (code: number, score: number): void => {
    let acc = accs.get(code);
    if (!acc) accs.set(code, (acc = { count: 0, sum: 0, min: Infinity, max: -Infinity, promoters: 0, detractors: 0 }));
    acc.count++;
    acc.sum += score;
    if (score < acc.min) acc.min = score;
    if (score > acc.max) acc.max = score;
    if (score >= 9) acc.promoters++;
    else if (score <= 6) acc.detractors++;
  };
  if (metricCode !== undefined) {
    for (let i = 0; i < c.n; i++) {
      const r = c.rowids[i]!;
      const score = dv.score[r]!;
      if (metricCol.codes[r] !== metricCode || Number.isNaN(score)) continue;
      if (groupBy) codesOf(groupBy, r, (code) => add(code, score));
      else add(0, score);
    }
  }
  const nps = metric === 'nps';
  if (!groupBy) return [toStats('all', accs.get(0), nps)];
  return [...accs.entries()]
    .sort(([a, x], [b, y]) => y.count - x.count || compare(groupBy.dict.values[a]!, groupBy.dict.values[b]!))
    .slice(0, size)
    .map(([code, acc]) => toStats(groupBy.dict.values[code]!, acc, nps));
}

function toStats(group: string, acc: Acc | undefined, nps: boolean): ScoreStats {
  const count = acc?.count ?? 0;
  const stats: ScoreStats = {
    group,
    count,
    mean: acc && count > 0 ? acc.sum / count : null,
    min: acc && count > 0 ? acc.min : null,
    max: acc && count > 0 ? acc.max : null,
  };
  if (nps) {
    const pct = (k: number): number => (count > 0 ? (k * 100) / count : 0);
    stats.promoters = pct(acc?.promoters ?? 0);
    stats.detractors = pct(acc?.detractors ?? 0);
    stats.passives = pct(count - (acc?.promoters ?? 0) - (acc?.detractors ?? 0));
    stats.nps = count > 0 ? stats.promoters - stats.detractors : null;
  }
  return stats;
}
