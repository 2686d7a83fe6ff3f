import { errors } from '@elastic/elasticsearch';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  AllearsError, BASE_FIELDS, ConfigError, Feedback, QuerySyntaxError, TransientError, ValidationError, type Filters,
} from '../../../model/index.ts';
import { parseSearchQuery } from '../../../store/query-syntax.ts';
import { compileQuery } from '../../../store/sqlite/query-parser.ts';
import { fillHistogram, toScoreStats } from '../../../store/elasticsearch/aggregations.ts';
import { facetValues, fromSource, toDocument } from '../../../store/elasticsearch/document.ts';
import { IndexRejectedError, translateError } from '../../../store/elasticsearch/errors.ts';
import { ElasticsearchFeedbackIndex } from '../../../store/elasticsearch/feedback-index.ts';
import {
  FEEDBACK_PROPERTIES, feedbackMappings, fieldPath, indexNames, indexTemplate, TEXT_ANALYSIS, TEXT_ANALYZER, words,
} from '../../../store/elasticsearch/mapping.ts';
import { authFromEnv, elasticsearchOptionsFromConfig, parseOptions } from '../../../store/elasticsearch/options.ts';
import { decodeCursor, encodeCursor, filterClauses, selectionQuery, sortFor, textQuery } from '../../../store/elasticsearch/query.ts';
import { makeFeedback } from '../../contract/fixtures.ts';
import { freePort } from '../../helpers/server.ts';

const FIELDS = ['search.title^2', 'search.body', 'search.sub^0.5'];
const phrase = (query: string) => ({ multi_match: { query, type: 'phrase', fields: FIELDS } });
const translate = (q: string) => textQuery(parseSearchQuery(q)!);

describe('user query → Elasticsearch query', () => {
  test.each([
    ['refund', phrase('refund')],
    ['"wrong address"', phrase('wrong address')],
    ['parcel late', { bool: { must: [phrase('parcel'), phrase('late')] } }],
    ['refund -fast', { bool: { must: [phrase('refund')], must_not: [phrase('fast')] } }],
    ['refund NOT fast', { bool: { must: [phrase('refund')], must_not: [phrase('fast')] } }],
    ['a OR b', { bool: { should: [phrase('a'), phrase('b')], minimum_should_match: 1 } }],
    ['(refund OR courier) -fast', {
      bool: {
        must: [{ bool: { should: [phrase('refund'), phrase('courier')], minimum_should_match: 1 } }],
        must_not: [phrase('fast')],
      },
    }],
    ['a OR b c', { bool: { should: [phrase('a'), { bool: { must: [phrase('b'), phrase('c')] } }], minimum_should_match: 1 } }],
  ])('should translate %j', (q, expected) => {
    expect(translate(q)).toEqual(expected);
  });

  test('should match a Chinese query as the phrase of the words the segmenter finds, like the embedded index', () => {
    expect(translate('理赔速度')).toEqual(phrase('理赔 速度'));
    expect(translate('"客服态度"')).toEqual(phrase('客服 态度'));
    // The same segmented words the FTS5 expression uses.
    expect(compileQuery('理赔速度')?.expr).toBe('"理赔 速度"');
  });

  test('should pass engine syntax in user text on as plain words, never as a query_string', () => {
    for (const q of ['col:refunds', 'refund^', 'NEAR(refund, late)', 'title:x OR body:*']) {
      const json = JSON.stringify(translate(q));
      expect(json).not.toMatch(/query_string|simple_query_string|wildcard|regexp|prefix/u);
    }
    expect(translate('col:refunds')).toEqual(phrase('col refunds'));
    expect(translate('refund^')).toEqual(phrase('refund'));
  });

  test.each(['refund "late', '(refund', 'refund)', 'OR refund', 'refund OR', '-only', '"'])(
    'should refuse the malformed query %j with the same QuerySyntaxError as the embedded index',
    (q) => {
      const err = (() => { try { parseSearchQuery(q); } catch (e) { return e; } return undefined; })();
      expect(err).toBeInstanceOf(QuerySyntaxError);
      expect((err as QuerySyntaxError).details[0]?.path).toBe('q');
    },
  );

  test('should treat a blank query as no query', () => {
    expect(parseSearchQuery('  ')).toBeNull();
    expect(parseSearchQuery(undefined)).toBeNull();
  });
});

describe('filters → Elasticsearch filter clauses', () => {
  test.each<[string, Filters, unknown[]]>([
    ['channel', { channel: ['social', 'survey'] }, [{ terms: { channel: ['social', 'survey'] } }]],
    ['source id', { source: ['weibo'] }, [{ terms: { 'source.id': ['weibo'] } }]],
    ['corrected sentiment', { sentiment: ['negative'] }, [{ terms: { 'facets.sentiment': ['negative'] } }]],
    ['topic', { topic: ['delivery'] }, [{ terms: { 'facets.topic': ['delivery'] } }]],
    ['survey metric', { surveyMetric: ['nps'] }, [{ terms: { 'survey.metric': ['nps'] } }]],
    ['complaint', { complaint: false }, [{ term: { 'facets.complaint': 'false' } }]],
    ['dimensions', { dimensions: { product: ['phone'], 'store.id': ['7'], empty: [] } }, [
      { terms: { 'dimensions.product': ['phone'] } }, { terms: { 'dimensions.store.id': ['7'] } },
    ]],
    ['labels people corrected (any of them)', { corrected: ['sentiment', 'touchpoint'] }, [{ terms: { 'facets.corrected': ['sentiment', 'touchpoint'] } }]],
    ['an empty list (no constraint)', { channel: [] }, []],
    ['an empty list of corrected labels (no constraint)', { corrected: [] }, []],
    ['from and to with an offset, in UTC', { from: '2025-01-20T08:00:00+08:00', to: '2025-02-01T00:00:00Z' }, [
      { range: { publishedAt: { gte: '2025-01-20T00:00:00.000Z', lt: '2025-02-01T00:00:00.000Z' } } },
    ]],
  ])('should filter by %s', (_name, filters, expected) => {
    expect(filterClauses({ includeDuplicates: true, ...filters })).toEqual(expected);
  });

  test('should hide duplicates unless asked to include them', () => {
    expect(filterClauses({})).toEqual([{ term: { 'facets.duplicate': false } }]);
    expect(filterClauses({ includeDuplicates: true })).toEqual([]);
  });

  test('should score only the text and filter the rest', () => {
    expect(selectionQuery(null, { includeDuplicates: true })).toEqual({ match_all: {} });
    expect(selectionQuery(parseSearchQuery('refund'), { lang: ['en'] })).toEqual({
      bool: { must: [phrase('refund')], filter: [{ terms: { lang: ['en'] } }, { term: { 'facets.duplicate': false } }] },
    });
  });
});

describe('sorting and cursors', () => {
  test('should break every tie by the unique id, so search_after neither repeats nor skips', () => {
    expect(sortFor('time')).toEqual([{ publishedAt: { order: 'desc' } }, { id: { order: 'desc' } }]);
    expect(sortFor('relevance')).toEqual([{ _score: { order: 'desc' } }, { publishedAt: { order: 'desc' } }, { id: { order: 'desc' } }]);
  });

  test('should round-trip a cursor and refuse one of another sort or made up', () => {
    expect(decodeCursor(encodeCursor('time', [1735689600000, 'abc']), 'time')).toEqual([1735689600000, 'abc']);
    expect(decodeCursor(encodeCursor('relevance', [1.25, 1735689600000, 'abc']), 'relevance')).toEqual([1.25, 1735689600000, 'abc']);
    for (const [cursor, sort] of [['garbage', 'time'], [encodeCursor('time', [1, 'a']), 'relevance'], [encodeCursor('time', ['x', 'a']), 'time']] as const) {
      const err = (() => { try { decodeCursor(cursor, sort); } catch (e) { return e; } return undefined; })();
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).details[0]?.path).toBe('cursor');
    }
  });
});

/** Every key of a zod object schema (through optional/nullable/default/array wrappers) must be mapped. */
function unmapped(schema: z.ZodType, properties: Record<string, unknown>, path: string, out: string[]): string[] {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
  for (const [key, child] of Object.entries(shape)) {
    const mapping = properties[key] as { type?: string; enabled?: boolean; properties?: Record<string, unknown> } | undefined;
    if (!mapping) {
      out.push(`${path}${key}`);
      continue;
    }
    let inner: z.ZodType = child;
    for (;;) {
      const def = (inner as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType } }).def;
      if (def.innerType) inner = def.innerType;
      else if (def.type === 'array' && def.element) inner = def.element;
      else break;
    }
    if ((inner as unknown as { def: { type: string } }).def.type === 'object' && mapping.enabled !== false && mapping.type !== 'flattened') {
      unmapped(inner, mapping.properties ?? {}, `${path}${key}.`, out);
    }
  }
  return out;
}

describe('index template and mappings', () => {
  const names = indexNames('acme');

  test('should map every field of the Feedback model explicitly, and refuse fields it does not know', () => {
    expect(unmapped(Feedback, FEEDBACK_PROPERTIES, '', [])).toEqual([]);
    expect(feedbackMappings().dynamic).toBe('strict');
  });

  test('should name the write alias, the read alias and the backing indices from the prefix', () => {
    expect(names).toEqual({
      template: 'acme-feedback', pattern: 'acme-feedback-*', writeAlias: 'acme-feedback', readAlias: 'acme-feedback-read',
      firstIndex: 'acme-feedback-000001',
    });
  });

  test('should put the read alias, not the rollover alias, in the template', () => {
    const t = indexTemplate(names, { shards: 3, replicas: 2 });
    expect(t.index_patterns).toEqual(['acme-feedback-*']);
    expect(Object.keys(t.template?.aliases ?? {})).toEqual(['acme-feedback-read']);
    expect(t.template?.settings).toMatchObject({ number_of_shards: 3, number_of_replicas: 2 });
    expect(t.template?.mappings?._source).toEqual({ excludes: ['search.*'] });
  });

  test('should analyse text like FTS5 unicode61 + porter: words split where FTS5 splits, folded, stemmed, no stop words', () => {
    expect(TEXT_ANALYSIS.analyzer?.[TEXT_ANALYZER]).toEqual({
      type: 'custom', tokenizer: 'whitespace', filter: ['lowercase', 'asciifolding', 'porter_stem'],
    });
    expect(words('col:refunds e-mail refund^ 理赔 速度，太慢 (x_y) café 42')).toBe('col refunds e mail refund 理赔 速度 太慢 x y café 42');
    for (const [field, m] of Object.entries((FEEDBACK_PROPERTIES.search as { properties: Record<string, { analyzer: string }> }).properties)) {
      expect(m.analyzer, field).toBe(TEXT_ANALYZER);
    }
  });

  test('should give every filterable field a keyword path', () => {
    for (const field of BASE_FIELDS) {
      const [top, sub] = fieldPath(field).split('.') as [string, string | undefined];
      const mapping = FEEDBACK_PROPERTIES[top] as { type?: string; properties?: Record<string, { type: string }> };
      expect(sub ? mapping.properties?.[sub]?.type : mapping.type, field).toBe('keyword');
    }
    expect(fieldPath('dim.store.id')).toBe('dimensions.store.id');
    expect((FEEDBACK_PROPERTIES.dimensions as { type: string }).type).toBe('flattened');
  });
});

describe('stored documents', () => {
  test('should index the values corrected by people and the segmented text, and give back the Feedback alone', () => {
    const f = makeFeedback({
      lang: 'zh', title: '理赔', text: '理赔速度太慢了',
      analysis: { touchpoint: { journey: 'purchase', touchpoint: 'shipping' }, topics: [{ id: 'delivery', score: 0.9 }], duplicateOf: 'x' },
    });
    const doc = toDocument(f, { labels: { sentiment: 'positive', touchpoint: null, topics: ['billing'] }, caseId: 'case-1', version: 3 });
    expect(doc.facets).toEqual({
      sentiment: 'positive', complaint: 'true', topic: ['billing'], journey: null, touchpoint: null, escalationLevel: 'low', duplicate: true,
      corrected: ['sentiment', 'topics', 'touchpoint'], authorKey: null,
    });
    expect(doc.search.body).toBe('理赔 速度 太慢 了');
    expect(doc.search.title).toBe('理赔');
    expect(fromSource(doc)).toEqual({ ...f, labels: { sentiment: 'positive', touchpoint: null, topics: ['billing'] }, caseId: 'case-1', version: 3 });
    const plain = toDocument(f, { labels: {}, caseId: null, version: 1 });
    expect('labels' in plain || 'caseId' in plain).toBe(false);
    expect(facetValues(plain).journey).toBe('purchase');
    expect(facetValues(plain).corrected).toEqual([]);
    expect(facetValues({ ...f, source: { id: 'x', kind: 'twitter' }, author: { handle: 'ann' } }).authorKey).toBe('author:twitter:ann');
  });
});

describe('histogram buckets', () => {
  const day = (iso: string) => Date.parse(iso);

  test('should fill empty buckets with zero over the documents and the from/to period', () => {
    expect(fillHistogram([{ start: day('2025-03-02T00:00:00Z'), count: 1 }], {
      interval: 'day', from: day('2025-03-01T00:00:00Z'), to: day('2025-03-04T00:00:00Z'),
    })).toEqual([
      { key: '2025-03-01T00:00:00.000Z', count: 0 }, { key: '2025-03-02T00:00:00.000Z', count: 1 }, { key: '2025-03-03T00:00:00.000Z', count: 0 },
    ]);
    expect(fillHistogram([], { interval: 'day' })).toEqual([]);
  });

  test('should start weeks on Monday', () => {
    const r = fillHistogram([{ start: day('2025-03-03T00:00:00Z'), count: 1 }], { interval: 'week', from: day('2025-02-20T00:00:00Z') });
    expect(r.map((b) => b.key)).toEqual(['2025-02-17T00:00:00.000Z', '2025-02-24T00:00:00.000Z', '2025-03-03T00:00:00.000Z']);
  });

  test('should keep the top split values and sum the rest under "other" only when something falls there', () => {
    const a = day('2025-03-01T00:00:00Z');
    const b = day('2025-03-02T00:00:00Z');
    const split = {
      names: ['social', 'review'],
      perBucket: new Map([[a, new Map([['social', 2]])], [b, new Map([['social', 1], ['review', 2]])]]),
      valuesPerBucket: new Map([[a, 3], [b, 3]]),
    };
    expect(fillHistogram([{ start: a, count: 3 }, { start: b, count: 3 }], { interval: 'day', split })).toEqual([
      { key: '2025-03-01T00:00:00.000Z', count: 3, split: { social: 2, review: 0, other: 1 } },
      { key: '2025-03-02T00:00:00.000Z', count: 3, split: { social: 1, review: 2, other: 0 } },
    ]);
    const none = { names: [], perBucket: new Map(), valuesPerBucket: new Map() };
    expect(fillHistogram([{ start: a, count: 1 }], { interval: 'day', split: none })).toEqual([{ key: '2025-03-01T00:00:00.000Z', count: 1, split: {} }]);
  });

  test('should refuse more buckets than a chart can show', () => {
    expect(() => fillHistogram([], { interval: 'hour', from: 0, to: Date.parse('2030-01-01T00:00:00Z') })).toThrow(ValidationError);
  });
});

describe('score statistics', () => {
  test('should compute NPS shares from the promoter and detractor counts', () => {
    expect(toScoreStats('all', { score: { count: 4, sum: 30, min: 3, max: 10 }, promoters: { doc_count: 2 }, detractors: { doc_count: 1 } }, true)).toEqual({
      group: 'all', count: 4, mean: 7.5, min: 3, max: 10, promoters: 50, passives: 25, detractors: 25, nps: 25,
    });
    expect(toScoreStats('all', { score: { count: 0, sum: 0, min: null, max: null } }, false)).toEqual({ group: 'all', count: 0, mean: null, min: null, max: null });
  });
});

describe('options', () => {
  test('should take credentials from the environment only, and refuse half of a user/password pair', () => {
    expect(authFromEnv({ ALLEARS_ELASTICSEARCH_API_KEY: 'k' })).toEqual({ apiKey: 'k' });
    expect(authFromEnv({ ALLEARS_ELASTICSEARCH_USERNAME: 'u', ALLEARS_ELASTICSEARCH_PASSWORD: 'p' })).toEqual({ username: 'u', password: 'p' });
    expect(authFromEnv({})).toBeUndefined();
    expect(() => authFromEnv({ ALLEARS_ELASTICSEARCH_USERNAME: 'u' })).toThrow(ConfigError);
  });

  test('should take the URL from the config, overridden by ALLEARS_ELASTICSEARCH_URL', () => {
    expect(elasticsearchOptionsFromConfig({ elasticsearchUrl: 'http://es:9200' }, { indexPrefix: 'x' }, {})).toEqual({ node: 'http://es:9200', indexPrefix: 'x' });
    expect(elasticsearchOptionsFromConfig({ elasticsearchUrl: 'http://es:9200' }, {}, { ALLEARS_ELASTICSEARCH_URL: 'http://other:9200' }).node).toBe('http://other:9200');
  });

  test('should refuse bad options, naming each field', () => {
    const err = (() => { try { parseOptions({ node: 'not a url', indexPrefix: 'Bad Prefix', rollover: { maxAge: 'soon' } }); } catch (e) { return e; } return undefined; })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).details.map((d) => d.path).sort()).toEqual(['elasticsearch.indexPrefix', 'elasticsearch.node', 'elasticsearch.rollover.maxAge']);
    expect(parseOptions({ node: 'http://127.0.0.1:9200' })).toMatchObject({ indexPrefix: 'allears', refresh: 'wait_for', shards: 1, replicas: 1 });
  });
});

describe('errors', () => {
  const url = 'http://user:secret@es.internal:9200';

  test('should turn an unreachable server into a retryable error naming the URL without credentials', () => {
    const e = translateError(new errors.ConnectionError('connect ECONNREFUSED'), url, 'searching feedback');
    expect(e).toBeInstanceOf(TransientError);
    expect((e as TransientError).retryable).toBe(true);
    expect(e.message).toContain('Elasticsearch unreachable at http://es.internal:9200');
    expect(e.message).not.toContain('secret');
  });

  test('should treat 429 and 5xx as retryable and anything else as a refusal with its reason', () => {
    const response = (statusCode: number, type: string, reason: string) =>
      new errors.ResponseError({ body: { error: { type, reason } }, statusCode, headers: {}, warnings: null, meta: {} as never });
    expect(translateError(response(429, 'es_rejected_execution_exception', 'queue full'), url, 'x')).toBeInstanceOf(TransientError);
    expect(translateError(response(503, 'unavailable_shards_exception', 'no shard'), url, 'x')).toBeInstanceOf(TransientError);
    const refused = translateError(response(400, 'illegal_argument_exception', 'bad mapping'), url, 'installing');
    expect(refused).toBeInstanceOf(AllearsError);
    expect(refused).not.toBeInstanceOf(TransientError);
    expect(refused.message).toContain('bad mapping');
  });

  test('should list every refused item with its id and reason', () => {
    const e = new IndexRejectedError([{ id: 'abc', index: 3, status: 400, type: 'document_parsing_exception', reason: 'failed to parse field [engagement.likes]' }], { created: 2, updated: 0 });
    expect(e.retryable).toBe(false);
    expect(e.details).toEqual([{ path: 'items[3]', index: 3, message: 'feedback abc: document_parsing_exception: failed to parse field [engagement.likes]' }]);
    expect(e.stored).toEqual({ created: 2, updated: 0 });
  });

  test('should fail to open with a retryable error naming the URL when nothing answers there', async () => {
    const port = await freePort();
    const err = await ElasticsearchFeedbackIndex.open({ node: `http://127.0.0.1:${port}`, requestTimeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain(`Elasticsearch unreachable at http://127.0.0.1:${port}`);
  });
});
