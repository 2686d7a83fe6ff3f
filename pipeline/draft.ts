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

/** Check that every stage did its part and drop what is not stored (the fingerprint). */
export function finish(draft: Draft, processedAt: string): Feedback {
  const missing = REQUIRED.filter((k) => draft.analysis[k] === undefined);
  if (missing.length || !draft.lang) {
    // A programming error, not bad data: retrying will not help.
    throw new AllearsError('pipeline_incomplete', `analysis incomplete for ${draft.id}: missing ${[...missing, ...(draft.lang ? [] : ['lang'])].join(', ')}`);
  }
  const { fingerprint: _fp, ...rest } = draft;
  return { ...rest, lang: draft.lang, processedAt, analysis: draft.analysis as Analysis };
}
