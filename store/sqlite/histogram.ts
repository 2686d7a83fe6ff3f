import { ValidationError, type HistogramBucket, type Interval } from '../../model/index.ts';
import { codesOf, countCodes, topCodes } from './aggregations.ts';
import type { Column } from './columns.ts';
import type { DocValues } from './doc-values.ts';
import type { Candidates } from './selection.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** A chart cannot show more; it also bounds the arrays allocated for one query. */
const MAX_BUCKETS = 100_000;

/**
 * Bucket ordinals: consecutive integers per interval, so counting is array indexing.
 * Weeks start on Monday (ISO), months on the 1st, all in UTC.
 */
function ordinal(ms: number, interval: Interval): number {
  switch (interval) {
    case 'hour': return Math.floor(ms / HOUR);
    case 'day': return Math.floor(ms / DAY);
    // Day 0 (1970-01-01) was a Thursday, so day -3 starts week 0.
    case 'week': return Math.floor((Math.floor(ms / DAY) + 3) / 7);
    case 'month': return monthOrdinal(Math.floor(ms / DAY));
  }
}

function ordinalStart(o: number, interval: Interval): number {
  switch (interval) {
    case 'hour': return o * HOUR;
    case 'day': return o * DAY;
    case 'week': return (o * 7 - 3) * DAY;
    case 'month': return Date.UTC(Math.floor(o / 12), ((o % 12) + 12) % 12, 1);
  }
}

/** year * 12 + month0 of a day number, by Howard Hinnant's civil_from_days (no Date allocation). */
function monthOrdinal(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 2 : mp - 10;
  const year = yoe + era * 400 + (month <= 1 ? 1 : 0);
  return year * 12 + month;
}

export interface HistogramOptions {
  interval: Interval;
  /** Bounds from the filters: buckets cover [from, to) even where nothing was said. */
  from?: number;
  to?: number;
  /** A split by a field that no document has yet yields empty splits. */
  split?: { column: Column | undefined; size: number };
}

export function histogram(dv: DocValues, c: Candidates, opts: HistogramOptions): HistogramBucket[] {
  const { interval } = opts;
  const ms = dv.publishedMs;
  const { rowids, n } = c;
  // Ordinals rise with time, so the extreme dates give the bucket range; nothing is stored per document.
  let minMs = Infinity;
  let maxMs = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = ms[rowids[i]!]!;
    if (t < minMs) minMs = t;
    if (t > maxMs) maxMs = t;
  }
  let lo = n > 0 ? ordinal(minMs, interval) : Infinity;
  let hi = n > 0 ? ordinal(maxMs, interval) : -Infinity;
  if (opts.from !== undefined && Number.isFinite(opts.from)) lo = Math.min(lo, ordinal(opts.from, interval));
  if (opts.to !== undefined && Number.isFinite(opts.to)) hi = Math.max(hi, ordinal(opts.to - 1, interval));
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const nb = hi - lo + 1;
  if (nb > MAX_BUCKETS) {
    throw new ValidationError(`the histogram would have ${nb} buckets; choose a larger interval or a shorter period`, [
      { path: 'interval', message: `more than ${MAX_BUCKETS} buckets` },
    ]);
  }
  const counts = new Int32Array(nb);
  for (let i = 0; i < n; i++) counts[ordinal(ms[rowids[i]!]!, interval) - lo]!++;

  let splitNames: string[] = [];
  let splitCounts: Int32Array | undefined;
  if (opts.split) splitCounts = new Int32Array(nb);
  if (opts.split?.column) {
    const { column, size } = opts.split;
    const top = topCodes(countCodes(column, c), column.dict, size);
    const slot = new Int32Array(column.dict.size).fill(top.length); // non-top values → "other"
    top.forEach((code, i) => { slot[code] = i; });
    splitNames = top.map((code) => column.dict.values[code]!);
    const width = top.length + 1;
    const sc = new Int32Array(nb * width);
    for (let i = 0; i < n; i++) {
      const r = rowids[i]!;
      const base = (ordinal(ms[r]!, interval) - lo) * width;
      codesOf(column, r, (code) => { sc[base + slot[code]!]!++; });
    }
    splitCounts = sc;
  }

  const out: HistogramBucket[] = [];
  const width = splitNames.length + 1;
  const hasOther = splitCounts ? splitCounts.some((v, i) => i % width === splitNames.length && v > 0) : false;
  for (let b = 0; b < nb; b++) {
    const bucket: HistogramBucket = { key: new Date(ordinalStart(lo + b, interval)).toISOString(), count: counts[b]! };
    if (splitCounts) {
      const split: Record<string, number> = {};
      splitNames.forEach((name, i) => { split[name] = splitCounts![b * width + i]!; });
      if (hasOther) split.other = (split.other ?? 0) + splitCounts[b * width + splitNames.length]!;
      bucket.split = split;
    }
    out.push(bucket);
  }
  return out;
}
