import type { estypes } from '@elastic/elasticsearch';
import { ValidationError, type Filters } from '../../model/index.ts';
import type { QueryNode } from '../query-syntax.ts';
import { fieldPath, FIELD_PATHS, SEARCH_FIELD_BOOSTS, words } from './mapping.ts';

type Query = estypes.QueryDslQueryContainer;

/**
 * The user query's syntax tree (store/query-syntax.ts, shared with the embedded index) as an
 * Elasticsearch query. A term, one word or several (a "phrase", or a Chinese word the segmenter
 * split), matches as a phrase within one of the text fields, like a quoted FTS5 string does; the
 * engine's own query syntax is never used, so operators in user text stay plain words.
 */
export function textQuery(node: QueryNode): Query {
  switch (node.kind) {
    case 'term':
      return { multi_match: { query: words(node.text), type: 'phrase', fields: SEARCH_FIELD_BOOSTS } };
    case 'or':
      return { bool: { should: node.items.map(textQuery), minimum_should_match: 1 } };
    case 'and': {
      const bool: estypes.QueryDslBoolQuery = { must: node.include.map(textQuery) };
      if (node.exclude.length > 0) bool.must_not = node.exclude.map(textQuery);
      return { bool };
    }
  }
}

type ListFilter = 'channel' | 'source' | 'initiator' | 'sentiment' | 'topic' | 'journey' | 'touchpoint' | 'escalationLevel' | 'lang' | 'surveyMetric';
const LIST_FILTERS: readonly ListFilter[] = [
  'channel', 'source', 'initiator', 'sentiment', 'topic', 'journey', 'touchpoint', 'escalationLevel', 'lang', 'surveyMetric',
];

/** Filter clauses, all of which must hold. An empty list of values means "any". */
export function filterClauses(f: Filters): Query[] {
  const out: Query[] = [];
  for (const field of LIST_FILTERS) {
    const values = f[field];
    if (values && values.length > 0) out.push({ terms: { [FIELD_PATHS[field]]: values } });
  }
  if (f.complaint !== undefined) out.push({ term: { [FIELD_PATHS.complaint]: String(f.complaint) } });
  for (const [key, values] of Object.entries(f.dimensions ?? {})) {
    if (values.length > 0) out.push({ terms: { [fieldPath(`dim.${key}`)]: values } });
  }
  if (f.corrected && f.corrected.length > 0) out.push({ terms: { 'facets.corrected': f.corrected } });
  if (f.from !== undefined || f.to !== undefined) {
    // Bounds in UTC to the millisecond, as the embedded index compares them.
    const range: estypes.QueryDslDateRangeQuery = {};
    if (f.from !== undefined) range.gte = new Date(Date.parse(f.from)).toISOString();
    if (f.to !== undefined) range.lt = new Date(Date.parse(f.to)).toISOString();
    out.push({ range: { publishedAt: range } });
  }
  if (!f.includeDuplicates) out.push({ term: { 'facets.duplicate': false } });
  return out;
}

/** The documents a full-text query (null: all) and the filters select; only the text is scored. */
export function selectionQuery(text: QueryNode | null, filters: Filters, extra: Query[] = []): Query {
  const filter = [...filterClauses(filters), ...extra];
  const bool: estypes.QueryDslBoolQuery = {};
  if (text) bool.must = [textQuery(text)];
  if (filter.length > 0) bool.filter = filter;
  return text || filter.length > 0 ? { bool } : { match_all: {} };
}

/** Most frequent first, ties by value: the embedded index's order, so both give the same lists. */
export const BUCKET_ORDER: estypes.AggregationsAggregateOrder = [{ _count: 'desc' }, { _key: 'asc' }];

/**
 * A terms aggregation whose counts are exact: each shard returns enough values that none is cut
 * before the final merge for any field of ordinary cardinality.
 */
export function termsAgg(path: string, size: number, include?: string[]): estypes.AggregationsAggregationContainer {
  return {
    terms: {
      field: path,
      size,
      shard_size: Math.max(size, 10_000),
      order: BUCKET_ORDER,
      ...(include ? { include } : {}),
    },
  };
}

export type SortKind = 'time' | 'relevance';

/**
 * Stable orders for search_after: newest first, or best score first then newest; the id breaks the
 * remaining ties (it is unique, so no two documents share a full sort key).
 */
export function sortFor(kind: SortKind): estypes.SortCombinations[] {
  const time: estypes.SortCombinations[] = [{ publishedAt: { order: 'desc' } }, { id: { order: 'desc' } }];
  return kind === 'time' ? time : [{ _score: { order: 'desc' } }, ...time];
}

type SortValue = number | string;

/** Opaque cursor: the sort values of a page's last hit, tagged with the order they belong to. */
export function encodeCursor(kind: SortKind, values: readonly estypes.FieldValue[]): string {
  return Buffer.from(JSON.stringify([kind === 'time' ? 't' : 'r', ...values])).toString('base64url');
}

export function decodeCursor(cursor: string, kind: SortKind): SortValue[] {
  let tuple: unknown;
  try {
    tuple = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    tuple = undefined;
  }
  const shape = kind === 'time' ? ['number', 'string'] : ['number', 'number', 'string'];
  const ok = Array.isArray(tuple)
    && tuple.length === shape.length + 1
    && tuple[0] === (kind === 'time' ? 't' : 'r')
    && shape.every((type, i) => typeof tuple[i + 1] === type && (type !== 'number' || Number.isFinite(tuple[i + 1])));
  if (!ok) {
    throw new ValidationError('invalid cursor', [{ path: 'cursor', message: 'is not a cursor returned by this search (or the sort changed)' }]);
  }
  return (tuple as SortValue[]).slice(1);
}
