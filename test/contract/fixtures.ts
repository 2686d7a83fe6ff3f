import { Feedback, feedbackId, contentHash, type Analysis } from '../../model/index.ts';

export type FeedbackOverrides = Omit<Partial<Feedback>, 'analysis'> & { analysis?: Partial<Analysis> };

let counter = 0;

/**
 * A fully valid Feedback (checked against the schema) with sensible defaults: a negative English
 * forum post. Override any field; `analysis` is merged over the default analysis.
 */
export function makeFeedback(overrides: FeedbackOverrides = {}): Feedback {
  counter++;
  const source = overrides.source ?? { id: 'forum-main', kind: 'forum', name: 'Main forum' };
  const externalId = overrides.externalId ?? `post-${counter}`;
  const text = overrides.text ?? 'The parcel arrived late and nobody answered the phone.';
  const { analysis, ...rest } = overrides;
  const candidate = {
    source,
    channel: 'forum',
    initiator: 'customer',
    externalId,
    text,
    publishedAt: '2025-03-01T08:00:00Z',
    id: feedbackId(source.id, externalId),
    lang: 'en',
    originalText: text,
    contentHash: contentHash(text),
    receivedAt: '2025-03-01T08:05:00Z',
    processedAt: '2025-03-01T08:05:01Z',
    ...rest,
    analysis: {
      sentiment: { label: 'negative', score: -0.6, confidence: 0.8 },
      complaint: { is: true, probability: 0.9 },
      topics: [],
      touchpoint: null,
      escalation: { score: 0.2, level: 'low', signals: [] },
      duplicateOf: null,
      pii: [],
      models: { sentiment: 'test-1' },
      ...analysis,
    },
  };
  return Feedback.parse(candidate);
}

/** A survey answer (no free text needed) with the given metric and score. */
export function makeSurveyAnswer(metric: 'nps' | 'csat' | 'ces', score: number, overrides: FeedbackOverrides = {}): Feedback {
  return makeFeedback({
    channel: 'survey',
    initiator: 'company',
    source: { id: 'survey-app', kind: 'survey' },
    text: '',
    title: undefined,
    survey: { survey: `${metric}-survey`, metric, score },
    ...overrides,
  });
}
