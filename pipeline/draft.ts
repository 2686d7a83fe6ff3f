import { AllearsError, Analysis, feedbackId, type Feedback, type RawItem } from '../model/index.ts';
import type { Draft } from './stage.ts';

/** The starting point of a record: the raw item with its stable id; stages fill in the rest. */
export function toDraft(raw: RawItem, receivedAt: string): Draft {
  return {
    ...raw,
    id: feedbackId(raw.source.id, raw.externalId),
    originalText: raw.text,
    contentHash: '',
    receivedAt,
    processedAt: receivedAt,
    analysis: { models: {} },
  };
}

const REQUIRED = ['sentiment', 'complaint', 'topics', 'touchpoint', 'escalation', 'duplicateOf', 'pii'] as const;

/** What the stages produced for one item, checked complete: what a caller that stores nothing reads. */
export type Analysed = Pick<Feedback, 'id' | 'lang' | 'analysis'>;

/** Check that every stage did its part; a programming error, not bad data, when one did not. */
export function checked(draft: Draft): Analysed {
  const a = draft.analysis;
  // One pass without allocating; the message is built only for the error.
  if (draft.lang && a.sentiment !== undefined && a.complaint !== undefined && a.topics !== undefined && a.touchpoint !== undefined
    && a.escalation !== undefined && a.duplicateOf !== undefined && a.pii !== undefined) return draft as Analysed;
  const missing = REQUIRED.filter((k) => a[k] === undefined);
  // Retrying will not help.
  throw new AllearsError('pipeline_incomplete', `analysis incomplete for ${draft.id}: missing ${[...missing, ...(draft.lang ? [] : ['lang'])].join(', ')}`);
}

/** Check that every stage did its part and drop what is not stored (the fingerprint). */
export function finish(draft: Draft, processedAt: string): Feedback {
  checked(draft);
  const { fingerprint: _fp, ...rest } = draft;
  return { ...rest, lang: draft.lang!, processedAt, analysis: draft.analysis as Analysis };
}
