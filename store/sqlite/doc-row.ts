import type { Feedback, Labels } from '../../model/index.ts';
import { cyrb53 } from './hash.ts';

/** The narrow `feedback` columns a document is filtered and faceted by (machine values; labels apart). */
export const FIELD_COLUMNS = [
  'published_ms', 'channel', 'source', 'initiator', 'lang', 'sentiment', 'complaint', 'topics', 'journey',
  'touchpoint', 'escalation', 'duplicate', 'survey_metric', 'survey_score', 'dims',
] as const;

/** Values of FIELD_COLUMNS, positional: named binding costs better-sqlite3 almost twice as much. */
export type StoredFields = [
  publishedMs: number, channel: string, source: string, initiator: string, lang: string, sentiment: string,
  complaint: number, topics: string, journey: string | null, touchpoint: string | null, escalation: string,
  duplicate: number, surveyMetric: string | null, surveyScore: number | null, dims: string | null,
];

export function storedFields(f: Feedback, publishedMs: number): StoredFields {
  const a = f.analysis;
  const dims = f.dimensions && Object.keys(f.dimensions).length > 0 ? JSON.stringify(f.dimensions) : null;
  return [
    publishedMs, f.channel, f.source.id, f.initiator, f.lang, a.sentiment.label, a.complaint.is ? 1 : 0,
    JSON.stringify(a.topics.map((t) => t.id)), a.touchpoint?.journey ?? null, a.touchpoint?.touchpoint ?? null,
    a.escalation.level, a.duplicateOf ? 1 : 0, f.survey?.metric ?? null, f.survey?.score ?? null, dims,
  ];
}

/** Columns read back to rebuild doc values, in DocValueRow order. */
export const DOC_VALUE_SELECT = ['rid', 'seq', 'id_hash', 'text_len', ...FIELD_COLUMNS, 'labels'].join(', ');

export type DocValueRow = [
  rid: number, seq: number, idHash: number, textLen: number, ...fields: StoredFields, labels: string | null,
];

/**
 * The stored JSON body: everything but what people write (labels, case link) and the version,
 * which live in columns of their own so that re-indexing an item keeps them.
 */
export type DocBody = Omit<Feedback, 'labels' | 'caseId' | 'version'>;

export function splitDoc(f: Feedback): DocBody {
  const { labels: _labels, caseId: _caseId, version: _version, ...body } = f;
  return body;
}

export function joinDoc(body: string, labels: string | null, caseId: string | null, version: number): Feedback {
  const doc = JSON.parse(body) as Feedback;
  if (labels !== null) doc.labels = JSON.parse(labels) as Labels;
  if (caseId !== null) doc.caseId = caseId;
  doc.version = version;
  return doc;
}

/**
 * Fingerprint of the indexed text (title and text, never originalText), so re-indexing unchanged
 * text skips segmentation. Non-cryptographic: a collision only means one stale full-text entry.
 */
export function textHash(f: Feedback): string {
  return cyrb53(`${f.title ?? ''}\u0000${f.text}`).toString(36);
}

/**
 * Number of words in segmented text, about as FTS5 counts its tokens; relevance divides by it. A
 * char-code loop (a Unicode regex cost ~4 µs per item): ASCII letters and digits, and anything
 * non-ASCII except spaces and CJK punctuation, make words.
 */
export function wordCount(segmented: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < segmented.length; i++) {
    const c = segmented.charCodeAt(i);
    const word = c < 0x80
      ? (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122)
      : c !== 0xa0 && !(c >= 0x2000 && c <= 0x206f) && !(c >= 0x3000 && c <= 0x303f) && !(c >= 0xff00 && c <= 0xff0f);
    if (word && !inWord) n++;
    inWord = word;
  }
  return n;
}
