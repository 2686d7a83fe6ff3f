import { z } from 'zod';
import { RawItem } from './raw-item.ts';

export const LANGS = ['en', 'zh', 'other'] as const;
export const Lang = z.enum(LANGS);
export type Lang = z.infer<typeof Lang>;

export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export const SentimentLabel = z.enum(SENTIMENTS);
export type SentimentLabel = z.infer<typeof SentimentLabel>;

export const ESCALATION_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export const EscalationLevel = z.enum(ESCALATION_LEVELS);
export type EscalationLevel = z.infer<typeof EscalationLevel>;

export const PII_KINDS = ['email', 'phone', 'cn_id', 'card'] as const;
export const PiiKind = z.enum(PII_KINDS);
export type PiiKind = z.infer<typeof PiiKind>;

const unit = z.number().min(0).max(1);

export const Sentiment = z.object({
  label: SentimentLabel,
  /** -1 (most negative) … +1 (most positive). */
  score: z.number().min(-1).max(1),
  confidence: unit,
});
export type Sentiment = z.infer<typeof Sentiment>;

export const TopicHit = z.object({ id: z.string(), score: unit });
export type TopicHit = z.infer<typeof TopicHit>;

export const TouchpointRef = z.object({ journey: z.string(), touchpoint: z.string() });
export type TouchpointRef = z.infer<typeof TouchpointRef>;

export const EscalationSignal = z.object({
  id: z.string(),
  weight: z.number(),
  /** The words or facts that raised the signal, shown to the person who acts on it. */
  evidence: z.string(),
});
export type EscalationSignal = z.infer<typeof EscalationSignal>;

export const Escalation = z.object({
  score: unit,
  level: EscalationLevel,
  signals: z.array(EscalationSignal),
});
export type Escalation = z.infer<typeof Escalation>;

export const Complaint = z.object({ is: z.boolean(), probability: unit });
export type Complaint = z.infer<typeof Complaint>;

export const Analysis = z.object({
  sentiment: Sentiment,
  complaint: Complaint,
  topics: z.array(TopicHit),
  touchpoint: TouchpointRef.nullable(),
  escalation: Escalation,
  /** Id of the earlier feedback this one repeats (repost, copy-paste campaign), or null. */
  duplicateOf: z.string().nullable(),
  /** Kinds of personal data found and masked in the indexed text. */
  pii: z.array(PiiKind),
  /** Versions of the models that produced this analysis, e.g. { sentiment: "lexicon-1" }. */
  models: z.record(z.string(), z.string()),
});
export type Analysis = z.infer<typeof Analysis>;

/** Labels corrected by people; they win over the machine's analysis in search and analytics. */
export const Labels = z
  .object({
    sentiment: SentimentLabel.optional(),
    complaint: z.boolean().optional(),
    topics: z.array(z.string().min(1).max(100)).max(50).optional(),
    touchpoint: TouchpointRef.nullable().optional(),
    escalationLevel: EscalationLevel.optional(),
    correctedBy: z.string().max(200).optional(),
    correctedAt: z.string().optional(),
  })
  .strict();
export type Labels = z.infer<typeof Labels>;

export const Feedback = z.object({
  ...RawItem.shape,
  id: z.string(),
  lang: Lang,
  /** The text before normalization and masking, kept for the record; never indexed, never logged. */
  originalText: z.string(),
  /** Content hash of the normalized text, for exact-duplicate detection. */
  contentHash: z.string(),
  receivedAt: z.string(),
  processedAt: z.string(),
  analysis: Analysis,
  labels: Labels.optional(),
  caseId: z.string().nullable().optional(),
  /** Bumped by every write; partial updates may require the version they read. */
  version: z.number().int().nonnegative().optional(),
});
export type Feedback = z.infer<typeof Feedback>;
