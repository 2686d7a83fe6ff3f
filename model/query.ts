import { z } from 'zod';
import { Channel, Initiator, SurveyMetric } from './raw-item.ts';
import { EscalationLevel, Lang, SentimentLabel } from './feedback.ts';

/**
 * Fields that can be filtered, faceted, split and grouped by. `dim.<key>` addresses a dimension
 * (e.g. `dim.supplier`). Sentiment, topic, touchpoint and escalation level use the labels people
 * corrected when there are any, the machine's analysis otherwise.
 */
export const BASE_FIELDS = [
  'channel', 'source', 'initiator', 'sentiment', 'topic', 'journey', 'touchpoint',
  'escalationLevel', 'lang', 'complaint', 'surveyMetric',
] as const;
export type BaseField = (typeof BASE_FIELDS)[number];
export type Field = BaseField | `dim.${string}`;
export const Field = z.string().refine(
  (f) => (BASE_FIELDS as readonly string[]).includes(f) || /^dim\.[\p{L}\p{N}_.-]{1,64}$/u.test(f),
  { message: `must be one of ${BASE_FIELDS.join(', ')} or dim.<key>` },
) as unknown as z.ZodType<Field>;

/** Labels people can correct, as `corrected` filters name them. */
export const CORRECTABLE_LABELS = ['sentiment', 'complaint', 'topics', 'touchpoint', 'escalationLevel'] as const;
export const CorrectableLabel = z.enum(CORRECTABLE_LABELS);
export type CorrectableLabel = z.infer<typeof CorrectableLabel>;

export const Filters = z.object({
  channel: z.array(Channel).optional(),
  source: z.array(z.string()).optional(),
  initiator: z.array(Initiator).optional(),
  sentiment: z.array(SentimentLabel).optional(),
  topic: z.array(z.string()).optional(),
  journey: z.array(z.string()).optional(),
  /** Touchpoint ids (unique across journeys). */
  touchpoint: z.array(z.string()).optional(),
  escalationLevel: z.array(EscalationLevel).optional(),
  lang: z.array(Lang).optional(),
  complaint: z.boolean().optional(),
  surveyMetric: z.array(SurveyMetric).optional(),
  /** Inclusive lower bound on publishedAt. */
  from: z.iso.datetime({ offset: true }).optional(),
  /** Exclusive upper bound on publishedAt. */
  to: z.iso.datetime({ offset: true }).optional(),
  dimensions: z.record(z.string(), z.array(z.string())).optional(),
  /**
   * Items people corrected ANY of these labels on (a correction to "none", such as an empty topic
   * list or no touchpoint, counts). An empty list means "any".
   */
  corrected: z.array(CorrectableLabel).optional(),
  /** false (default): hide items marked as duplicates of another; true: include them. */
  includeDuplicates: z.boolean().optional(),
});
export type Filters = z.infer<typeof Filters>;

export const Selection = z.object({
  /** Full-text query: words (stemmed in English, segmented in Chinese), "phrases", OR, -exclusion. */
  q: z.string().max(1000).optional(),
  filters: Filters.default({}),
});
export type Selection = z.input<typeof Selection>;
export type SelectionParsed = z.infer<typeof Selection>;

export const SearchQuery = Selection.extend({
  sort: z.enum(['time', 'relevance']).default('time'),
  limit: z.number().int().min(1).max(500).default(20),
  cursor: z.string().max(500).optional(),
  facets: z.array(Field).max(20).default([]),
  facetSize: z.number().int().min(1).max(1000).default(10),
});
export type SearchQuery = z.input<typeof SearchQuery>;
export type SearchQueryParsed = z.infer<typeof SearchQuery>;

export interface Bucket {
  value: string;
  count: number;
}

export const INTERVALS = ['hour', 'day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

export const HistogramQuery = Selection.extend({
  interval: z.enum(INTERVALS).default('day'),
  splitBy: Field.optional(),
  /** Most frequent split values kept; the rest are summed under "other". */
  splitSize: z.number().int().min(1).max(50).default(8),
});
export type HistogramQuery = z.input<typeof HistogramQuery>;

export interface HistogramBucket {
  /** Start of the bucket, ISO 8601 in UTC. */
  key: string;
  count: number;
  split?: Record<string, number>;
}

export const TermsQuery = Selection.extend({
  field: Field,
  size: z.number().int().min(1).max(1000).default(10),
});
export type TermsQuery = z.input<typeof TermsQuery>;

export const ScoreStatsQuery = Selection.extend({
  metric: SurveyMetric,
  groupBy: Field.optional(),
  size: z.number().int().min(1).max(100).default(20),
});
export type ScoreStatsQuery = z.input<typeof ScoreStatsQuery>;

export interface ScoreStats {
  /** The group's value, or "all". */
  group: string;
  count: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  /** NPS only: share of 9–10 and of 0–6 answers, and promoters% − detractors% (−100 … 100). */
  promoters?: number;
  passives?: number;
  detractors?: number;
  nps?: number | null;
}
