import type { z } from 'zod';
import { HistogramQuery, ScoreStatsQuery, TermsQuery } from '../../model/index.ts';
import { int, parseWith, rejectUnknown, selectionParams, str } from '../params.ts';

type Q = Record<string, unknown>;

export function parseTrends(query: Q): z.output<typeof HistogramQuery> {
  rejectUnknown(query, ['interval', 'splitBy', 'splitSize']);
  return parseWith(HistogramQuery, {
    ...selectionParams(query),
    interval: str(query.interval),
    splitBy: str(query.splitBy),
    splitSize: int(query.splitSize, 'splitSize'),
  });
}

/** `field` alone: counts per value. With `metric` (nps, csat, ces): score statistics per value. */
export function parseBreakdown(query: Q): { kind: 'terms'; query: z.output<typeof TermsQuery> } | { kind: 'scores'; query: z.output<typeof ScoreStatsQuery> } {
  rejectUnknown(query, ['field', 'size', 'metric']);
  const base = { ...selectionParams(query), size: int(query.size, 'size') };
  const metric = str(query.metric);
  if (metric !== undefined) {
    return { kind: 'scores', query: parseWith(ScoreStatsQuery, { ...base, metric, groupBy: str(query.field) }) };
  }
  return { kind: 'terms', query: parseWith(TermsQuery, { ...base, field: str(query.field) }) };
}
