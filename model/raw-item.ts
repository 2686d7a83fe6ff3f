import { z } from 'zod';

/** Where a piece of feedback was heard. */
export const CHANNELS = [
  'forum', 'social', 'review', 'news', 'complaint', 'regulator',
  'email', 'webform', 'call', 'chat', 'survey',
] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

/** Who started the conversation: the customer on their own, or the company by asking (surveys). */
export const Initiator = z.enum(['customer', 'company']);
export type Initiator = z.infer<typeof Initiator>;

export const SurveyMetric = z.enum(['nps', 'csat', 'ces']);
export type SurveyMetric = z.infer<typeof SurveyMetric>;

/** Longest text accepted for one item; longer items are rejected by field, never truncated silently. */
export const MAX_TEXT_CHARS = 100_000;

const id = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const count = z.number().int().nonnegative();
const isoDate = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2025-03-01T08:00:00Z' });

export const SourceRef = z.object({
  id: id(200),
  kind: id(100),
  name: z.string().max(300).optional(),
});

export const Author = z.object({
  id: z.string().max(500).optional(),
  handle: z.string().max(500).optional(),
  name: z.string().max(500).optional(),
  followers: count.optional(),
  verified: z.boolean().optional(),
});
export type Author = z.infer<typeof Author>;

export const Engagement = z.object({
  likes: count.optional(),
  shares: count.optional(),
  replies: count.optional(),
  views: count.optional(),
});
export type Engagement = z.infer<typeof Engagement>;

export const SurveyAnswer = z.object({
  survey: id(200),
  touchpoint: z.string().max(200).optional(),
  metric: SurveyMetric,
  score: z.number().finite(),
  comment: z.string().max(MAX_TEXT_CHARS).optional(),
});
export type SurveyAnswer = z.infer<typeof SurveyAnswer>;

/** Free key → value context that root-cause analysis slices by: product, region, store, supplier… */
export const Dimensions = z.record(
  z.string().min(1).max(64).regex(/^[\p{L}\p{N}_.-]+$/u, 'dimension keys use letters, digits, _ . - only'),
  z.string().max(500),
);

/**
 * What every entry point produces: crawlers, connectors, the ingest API, file import, the demo
 * source and survey responses. A survey answer may have no free text; anything else must say something.
 */
export const RawItem = z
  .object({
    source: SourceRef,
    channel: Channel,
    initiator: Initiator.default('customer'),
    externalId: id(500),
    url: z.url().max(4000).optional(),
    threadId: z.string().max(500).optional(),
    parentId: z.string().max(500).optional(),
    author: Author.optional(),
    customerRef: z.string().max(500).optional(),
    title: z.string().max(2000).optional(),
    text: z.string().max(MAX_TEXT_CHARS, `must be at most ${MAX_TEXT_CHARS} characters`).default(''),
    publishedAt: isoDate,
    engagement: Engagement.optional(),
    survey: SurveyAnswer.optional(),
    dimensions: Dimensions.optional(),
    raw: z.unknown().optional(),
  })
  .superRefine((item, ctx) => {
    const hasText = item.text.trim().length > 0 || (item.title ?? '').trim().length > 0;
    if (!hasText && !item.survey) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'must not be empty (only survey answers may come without text)' });
    }
  });
export type RawItem = z.infer<typeof RawItem>;
export type RawItemInput = z.input<typeof RawItem>;
