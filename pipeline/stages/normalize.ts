import { contentHash } from '../../model/index.ts';
import { htmlToText } from '../nlp/html.ts';
import type { Draft, Stage } from '../stage.ts';

export const NORMALIZE_VERSION = 'rules-1';

/** Zero-width characters, the BOM and control characters other than whitespace carry nothing. */
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200d\u2060\ufeff]/g;
/** Runs of whitespace and single non-space whitespace; a lone space is left alone, so clean text is not copied. */
const SPACE = /\s{2,}|[^\S ]/g;

/** Printable ASCII is already in NFKC and has no invisible characters. */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** HTML → text, Unicode NFKC (full-width ＡＢＣ１２３ → ABC123), invisible characters removed, whitespace collapsed. */
export function normalizeText(s: string): string {
  let t = s.includes('<') || s.includes('&') ? htmlToText(s) : s;
  if (!PLAIN_ASCII.test(t)) t = t.normalize('NFKC').replace(INVISIBLE, '');
  return t.replace(SPACE, ' ').trim();
}

function normalizeDraft(d: Draft): void {
  d.text = normalizeText(d.text);
  if (d.title !== undefined) d.title = normalizeText(d.title);
  // The survey object may be shared with the raw item: replace it rather than write into it.
  if (d.survey?.comment) d.survey = { ...d.survey, comment: normalizeText(d.survey.comment) };
  d.contentHash = contentHash(`${d.title ?? ''}\n${d.text}`.toLowerCase());
  d.analysis.models.normalize = NORMALIZE_VERSION;
}

/**
 * Cleans title, text and survey comment for analysis and search, and sets the content hash
 * (of the lower-cased title and text) that exact-duplicate detection uses. `originalText` is kept as received.
 */
export function normalizeStage(): Stage {
  return {
    name: 'normalize',
    run(batch) {
      for (const d of batch) normalizeDraft(d);
      return batch;
    },
  };
}
