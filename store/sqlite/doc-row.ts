import type { Feedback, Labels } from '../../model/index.ts';

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
export const DOC_VALUE_SELECT = ['rid', 'seq', ...FIELD_COLUMNS, 'labels'].join(', ');

export type DocValueRow = [rid: number, seq: number, ...fields: StoredFields, labels: string | null];

/** The parts of a document kept outside the JSON body, so writes by people survive re-indexing. */
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
 * text skips segmentation. A 53-bit non-cryptographic hash (cyrb53): several times cheaper than
 * sha1 for short strings, and a collision only means one stale full-text entry.
 */
export function textHash(f: Feedback): string {
  const s = `${f.title ?? ''}\u0000${f.text}`;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2_654_435_761);
    h2 = Math.imul(h2 ^ ch, 1_597_334_677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2_246_822_507) ^ Math.imul(h2 ^ (h2 >>> 13), 3_266_489_909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2_246_822_507) ^ Math.imul(h1 ^ (h1 >>> 13), 3_266_489_909);
  return (4_294_967_296 * (2_097_151 & h2) + (h1 >>> 0)).toString(36);
}
