import { authorKeyOf, CORRECTABLE_LABELS, type CorrectableLabel, type Feedback, type Labels } from '../../model/index.ts';
import { segmentForIndex } from '../sqlite/segment.ts';
import { joinWords } from '../sqlite/write-input.ts';
import { words } from './mapping.ts';

/**
 * The effective values filters and facets use (corrections by people win over the analysis), which
 * labels people corrected, and the author key repeat contact is looked up by.
 */
export interface FacetValues {
  sentiment: string;
  complaint: 'true' | 'false';
  topic: string[];
  journey: string | null;
  touchpoint: string | null;
  escalationLevel: string;
  duplicate: boolean;
  /** Labels people set, a correction to "none" (touchpoint null, no topics) included. */
  corrected: CorrectableLabel[];
  authorKey: string | null;
}

/** The segmented text, as words separated by spaces, like the embedded index's FTS5 columns of the same names. */
export interface SearchText {
  title: string;
  body: string;
  sub: string;
}

/** What is sent to Elasticsearch: the Feedback itself plus the two derived objects. */
export type EsDocument = Feedback & { facets: FacetValues; search: SearchText };

export function facetValues(f: Feedback): FacetValues {
  const a = f.analysis;
  const l = f.labels;
  const tp = l?.touchpoint !== undefined ? l.touchpoint : a.touchpoint;
  return {
    sentiment: l?.sentiment ?? a.sentiment.label,
    complaint: String(l?.complaint ?? a.complaint.is) as 'true' | 'false',
    topic: l?.topics ?? a.topics.map((t) => t.id),
    journey: tp?.journey ?? null,
    touchpoint: tp?.touchpoint ?? null,
    escalationLevel: l?.escalationLevel ?? a.escalation.level,
    duplicate: Boolean(a.duplicateOf),
    corrected: l ? CORRECTABLE_LABELS.filter((k) => k in l && l[k] !== undefined) : [],
    authorKey: authorKeyOf(f),
  };
}

/** Title and text segmented exactly as the embedded index does it (never originalText). */
export function searchText(f: Feedback): SearchText {
  const title = segmentForIndex(f.title ?? '');
  const text = segmentForIndex(f.text);
  return { title: words(title.body), body: words(text.body), sub: words(joinWords(title.sub, text.sub)) };
}

/** Empty corrections are no corrections, as in the embedded index. */
export function normalizeLabels(labels: Labels | null | undefined): Labels | undefined {
  return labels && Object.keys(labels).length > 0 ? labels : undefined;
}

/**
 * The stored form of an item with the labels, case link and version decided by the write; a null
 * or empty one is left out, so what comes back equals what the embedded index returns.
 */
export function toDocument(item: Feedback, state: { labels?: Labels; caseId?: string | null; version: number }): EsDocument {
  const { labels: _l, caseId: _c, version: _v, ...body } = item;
  const f: Feedback = { ...body, version: state.version };
  const labels = normalizeLabels(state.labels);
  if (labels) f.labels = labels;
  if (state.caseId != null) f.caseId = state.caseId;
  return { ...f, facets: facetValues(f), search: searchText(f) };
}

/** A Feedback from a stored _source: the derived objects dropped. */
export function fromSource(source: unknown): Feedback {
  const { facets: _f, search: _s, ...f } = source as Partial<EsDocument>;
  return f as Feedback;
}
