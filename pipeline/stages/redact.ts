import { PII_KINDS, type PiiKind } from '../../model/index.ts';
import { redactPii } from '../nlp/pii.ts';
import type { Draft, Stage } from '../stage.ts';
import { setAnalysis } from './common.ts';

export const REDACT_VERSION = 'patterns-1';

function redactDraft(d: Draft): void {
  const kinds = new Set<PiiKind>();
  const mask = (s: string): string => {
    const r = redactPii(s);
    for (const k of r.kinds) kinds.add(k);
    // Keep the same string when nothing was masked, so what was derived from it stays valid.
    return r.kinds.length ? r.text : s;
  };
  d.text = mask(d.text);
  if (d.title !== undefined) d.title = mask(d.title);
  if (d.survey?.comment) {
    const comment = mask(d.survey.comment);
    if (comment !== d.survey.comment) d.survey = { ...d.survey, comment };
  }
  setAnalysis(d, { pii: PII_KINDS.filter((k) => kinds.has(k)) }, { redact: REDACT_VERSION });
}

/**
 * Masks e-mail addresses, phone numbers, Chinese resident IDs and payment cards in the text that is
 * indexed (title, text, survey comment) and records the kinds found. `originalText` is left as it was.
 */
export function redactStage(): Stage {
  return {
    name: 'redact',
    run(batch) {
      for (const d of batch) redactDraft(d);
      return batch;
    },
  };
}
