import type { estypes } from '@elastic/elasticsearch';
import { ValidationError, type Bucket, type HistogramBucket, type Interval, type ScoreStats } from '../../model/index.ts';

type Aggregate = estypes.AggregationsAggregate;

interface KeyedBucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
  [sub: string]: unknown;
}

/** The buckets of a terms or date_histogram aggregation (absent: none). */
export function bucketsOf(agg: Aggregate | undefined): KeyedBucket[] {
  const buckets = (agg as { buckets?: unknown } | undefined)?.buckets;
  return Array.isArray(buckets) ? (buckets as KeyedBucket[]) : [];
}

function valueOf(b: KeyedBucket): string {
  return typeof b.key === 'string' ? b.key : (b.key_as_string ?? String(b.key));
}

export function toBuckets(agg: Aggregate | undefined): Bucket[] {
  return bucketsOf(agg).map((b) => ({ value: valueOf(b), count: b.doc_count }));
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** A chart cannot show more; the embedded index refuses the same. */
export const MAX_BUCKETS = 100_000;

/** ES calendar intervals with the embedded index's semantics: UTC, weeks from Monday, months from the 1st. */
export const CALENDAR_INTERVAL: Readonly<Record<Interval, estypes.AggregationsCalendarInterval>> = {
  hour: 'hour', day: 'day', week: 'week', month: 'month',
};

/** Consecutive integers per bucket, to count and fill buckets. */
export function ordinal(ms: number, interval: Interval): number {
  switch (interval) {
    case 'hour': return Math.floor(ms / HOUR);
    case 'day': return Math.floor(ms / DAY);
    // Day 0 (1970-01-01) was a Thursday, so day -3 starts week 0.
    case 'week': return Math.floor((Math.floor(ms / DAY) + 3) / 7);
    case 'month': {
      const d = new Date(ms);
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    }
  }
}

export function ordinalStart(o: number, interval: Interval): number {
  switch (interval) {
    case 'hour': return o * HOUR;
    case 'day': return o * DAY;
    case 'week': return (o * 7 - 3) * DAY;
    case 'month': return Date.UTC(Math.floor(o / 12), ((o % 12) + 12) % 12, 1);
  }
}

export function tooManyBuckets(n: number): ValidationError {
  return new ValidationError(`the histogram would have ${n} buckets; choose a larger interval or a shorter period`, [
    { path: 'interval', message: `more than ${MAX_BUCKETS} buckets` },
  ]);
}

/** Bucket ordinals [lo, hi] the from/to filters alone span (before any document is counted). */
export function boundsOf(interval: Interval, from?: number, to?: number): { lo: number; hi: number } {
  return {
    lo: from !== undefined && Number.isFinite(from) ? ordinal(from, interval) : Infinity,
    hi: to !== undefined && Number.isFinite(to) ? ordinal(to - 1, interval) : -Infinity,
  };
}

export interface SplitCounts {
  /** The split values kept, most frequent first. */
  names: string[];
  /** Per bucket start (ms): the count of each kept value. */
  perBucket: Map<number, Map<string, number>>;
  /** Per bucket start (ms): values counted in all (a document counts once per value). */
  valuesPerBucket: Map<number, number>;
}

/**
 * Fills the date_histogram's non-empty buckets into the full range the documents and the from/to
 * filters cover, zeros between, like the embedded index; the split keeps the top values and sums
 * the rest under "other" (present only when something falls there).
 */
export function fillHistogram(
  counted: ReadonlyArray<{ start: number; count: number }>,
  opts: { interval: Interval; from?: number; to?: number; split?: SplitCounts },
): HistogramBucket[] {
  const { interval, split } = opts;
  let { lo, hi } = boundsOf(interval, opts.from, opts.to);
  const byOrdinal = new Map<number, { start: number; count: number }>();
  for (const b of counted) {
    const o = ordinal(b.start, interval);
    byOrdinal.set(o, b);
    if (o < lo) lo = o;
    if (o > hi) hi = o;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const nb = hi - lo + 1;
  if (nb > MAX_BUCKETS) throw tooManyBuckets(nb);
  let hasOther = false;
  const other = (start: number): number => {
    if (!split) return 0;
    const kept = [...(split.perBucket.get(start)?.values() ?? [])].reduce((a, b) => a + b, 0);
    return (split.valuesPerBucket.get(start) ?? 0) - kept;
  };
  if (split) for (const b of counted) if (other(b.start) > 0) hasOther = true;
  const out: HistogramBucket[] = [];
  for (let o = lo; o <= hi; o++) {
    const start = ordinalStart(o, interval);
    const found = byOrdinal.get(o);
    const bucket: HistogramBucket = { key: new Date(start).toISOString(), count: found?.count ?? 0 };
    if (split) {
      const counts = found ? split.perBucket.get(found.start) : undefined;
      const s: Record<string, number> = {};
      for (const name of split.names) s[name] = counts?.get(name) ?? 0;
      if (hasOther) s.other = (s.other ?? 0) + (found ? other(found.start) : 0);
      bucket.split = s;
    }
    out.push(bucket);
  }
  return out;
}

/** Sub-aggregations for survey scores of one metric (the query already keeps only that metric). */
export const SCORE_AGGS: Record<string, estypes.AggregationsAggregationContainer> = {
  score: { stats: { field: 'survey.score' } },
  promoters: { filter: { range: { 'survey.score': { gte: 9 } } } },
  detractors: { filter: { range: { 'survey.score': { lte: 6 } } } },
};

interface ScoreAggs {
  score?: { count: number; sum: number | null; min: number | null; max: number | null };
  promoters?: { doc_count: number };
  detractors?: { doc_count: number };
}

/** The same figures as the embedded index: mean, min, max; NPS adds promoter (9–10) and detractor (0–6) shares. */
export function toScoreStats(group: string, aggs: ScoreAggs, nps: boolean): ScoreStats {
  const count = aggs.score?.count ?? 0;
  const stats: ScoreStats = {
    group,
    count,
    mean: count > 0 ? (aggs.score!.sum ?? 0) / count : null,
    min: count > 0 ? (aggs.score!.min ?? null) : null,
    max: count > 0 ? (aggs.score!.max ?? null) : null,
  };
  if (nps) {
    const promoters = aggs.promoters?.doc_count ?? 0;
    const detractors = aggs.detractors?.doc_count ?? 0;
    const pct = (k: number): number => (count > 0 ? (k * 100) / count : 0);
    stats.promoters = pct(promoters);
    stats.detractors = pct(detractors);
    stats.passives = pct(count - promoters - detractors);
    stats.nps = count > 0 ? stats.promoters - stats.detractors : null;
  }
  return stats;
}
