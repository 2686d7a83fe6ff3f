import { PII_KINDS, type PiiKind } from '../../model/index.ts';
import { redactPii } from '../nlp/pii.ts';
import type { Draft, Stage } from '../stage.ts';
import { setVersions } from './common.ts';

export const REDACT_VERSION = 'patterns-1';
const VERSIONS = { redact: REDACT_VERSION };

/** `s` masked, adding the kinds found to `kinds`; the same string when nothing was masked, so what was derived from it stays valid. */
function mask(s: string, kinds: Set<PiiKind>): string {
  const r = redactPii(s);
  for (const k of r.kinds) kinds.add(k);
  return r.kinds.length ? r.text : s;
}

function redactDraft(d: Draft, kinds: Set<PiiKind>): void {
  kinds.clear();
  d.text = mask(d.text, kinds);
  if (d.title !== undefined) d.title = mask(d.title, kinds);
  if (d.survey?.comment) {
    const comment = mask(d.survey.comment, kinds);
    if (comment !== d.survey.comment) d.survey = { ...d.survey, comment };
  }
  d.analysis.pii = kinds.size ? PII_KINDS.filter((k) => kinds.has(k)) : [];
  setVersions(d, VERSIONS);
}

/**
 * Masks e-mail addresses, phone numbers, Chinese resident IDs and payment cards in the text that is
 * indexed (title, text, survey comment) and records the kinds found. `originalText` is left as it was.
 */
export function redactStage(): Stage {
  return {
    name: 'redact',
    run(batch) {
      const kinds = new Set<PiiKind>();
      for (const d of batch) redactDraft(d, kinds);
      return batch;
    },
  };
}
