import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  AllearsError, ConflictError, NotFoundError, QuerySyntaxError, ValidationError,
  type Feedback, type Filters, type SearchQuery,
} from '../../model/index.ts';
import type { FeedbackIndex } from '../../store/ports.ts';
import { makeFeedback, makeSurveyAnswer, type FeedbackOverrides } from './fixtures.ts';

export interface IndexUnderTest {
  index: FeedbackIndex;
  cleanup: () => Promise<void>;
}

/**
 * The behaviour every FeedbackIndex adapter must share (embedded SQLite, Elasticsearch). Each test
 * gets a fresh, empty index from `makeIndex` and may read its own writes immediately.
 */
export function feedbackIndexContract(name: string, makeIndex: () => Promise<IndexUnderTest>): void {
  describe(`FeedbackIndex contract: ${name}`, () => {
    let index: FeedbackIndex;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ index, cleanup } = await makeIndex());
    });
    afterEach(async () => {
      await index.close();
      await cleanup();
    });

    const ids = (items: readonly Feedback[]) => items.map((f) => f.id).sort();
    const searchIds = async (query: SearchQuery) => ids((await index.search({ limit: 500, ...query })).items);
    const hits = async (q: string, filters: Filters = {}) => searchIds({ q, filters });

    describe('writing', () => {
      test('should return a stored item by id with a version', async () => {
        const f = makeFeedback({ title: 'Late parcel', dimensions: { product: 'phone' } });
        await index.upsert([f]);
        const got = await index.get(f.id);
        expect(got).toMatchObject({ ...f, version: 1 });
      });

      test('should return null for an unknown id', async () => {
        expect(await index.get('no-such-id')).toBeNull();
      });

      test('should report created and updated counts and keep the total when the same items are upserted again', async () => {
        const items = Array.from({ length: 50 }, (_, i) => makeFeedback({ text: `complaint number ${i}` }));
        expect(await index.upsert(items)).toEqual({ created: 50, updated: 0 });
        expect(await index.count()).toBe(50);
        expect(await index.upsert(items)).toEqual({ created: 0, updated: 50 });
        expect(await index.count()).toBe(50);
        const more = [makeFeedback(), ...items.slice(0, 3)];
        expect(await index.upsert(more)).toEqual({ created: 1, updated: 3 });
        expect(await index.count()).toBe(51);
      });

      test('should accept an empty batch', async () => {
        expect(await index.upsert([])).toEqual({ created: 0, updated: 0 });
      });

      test('should replace an item in place, so its old words no longer find it', async () => {
        const f = makeFeedback({ text: 'the invoice was wrong' });
        await index.upsert([f]);
        await index.upsert([{ ...f, text: 'the courier was rude' }]);
        expect(await hits('invoice')).toEqual([]);
        expect(await hits('courier')).toEqual([f.id]);
        expect((await index.get(f.id))?.text).toBe('the courier was rude');
        expect((await index.get(f.id))?.version).toBe(2);
      });

      test('should keep corrections by people when the pipeline re-upserts an item without labels', async () => {
        const f = makeFeedback();
        await index.upsert([f]);
        await index.patch(f.id, { labels: { sentiment: 'positive' }, caseId: 'case-1' });
        await index.upsert([f]);
        const got = await index.get(f.id);
        expect(got?.labels).toEqual({ sentiment: 'positive' });
        expect(got?.caseId).toBe('case-1');
        expect(await index.count({ filters: { sentiment: ['positive'] } })).toBe(1);
      });
    });

    describe('filters', () => {
      const a = makeFeedback({
        channel: 'social', source: { id: 'weibo', kind: 'social' }, lang: 'zh', text: '快递三天还没到',
        publishedAt: '2025-01-10T00:00:00Z', dimensions: { product: 'phone', region: 'north' },
        analysis: {
          sentiment: { label: 'negative', score: -0.8, confidence: 0.9 },
          topics: [{ id: 'delivery', score: 0.9 }, { id: 'service', score: 0.5 }],
          touchpoint: { journey: 'purchase', touchpoint: 'shipping' },
          escalation: { score: 0.9, level: 'high', signals: [] },
          complaint: { is: true, probability: 0.9 },
        },
      });
      const b = makeFeedback({
        channel: 'review', source: { id: 'appstore', kind: 'review' }, text: 'Great app, love it',
        publishedAt: '2025-01-20T00:00:00Z', dimensions: { product: 'app' },
        analysis: {
          sentiment: { label: 'positive', score: 0.8, confidence: 0.9 },
          topics: [{ id: 'app', score: 0.9 }],
          touchpoint: { journey: 'use', touchpoint: 'mobile-app' },
          complaint: { is: false, probability: 0.1 },
        },
      });
      const c = makeSurveyAnswer('nps', 9, {
        publishedAt: '2025-02-01T00:00:00Z', text: 'ok overall',
        analysis: { sentiment: { label: 'neutral', score: 0, confidence: 0.5 }, complaint: { is: false, probability: 0.2 } },
      });
      const dup = makeFeedback({
        channel: 'social', source: { id: 'weibo', kind: 'social' }, lang: 'zh', text: '快递三天还没到',
        publishedAt: '2025-01-11T00:00:00Z', analysis: { duplicateOf: a.id },
      });

      beforeEach(async () => {
        await index.upsert([a, b, c, dup]);
      });

      test.each<[string, Filters, Feedback[]]>([
        ['channel', { channel: ['social', 'survey'] }, [a, c]],
        ['source (its id)', { source: ['appstore'] }, [b]],
        ['initiator', { initiator: ['company'] }, [c]],
        ['sentiment', { sentiment: ['negative', 'neutral'] }, [a, c]],
        ['topic (any of the document topics)', { topic: ['service'] }, [a]],
        ['journey', { journey: ['use'] }, [b]],
        ['touchpoint', { touchpoint: ['shipping'] }, [a]],
        ['escalation level', { escalationLevel: ['high', 'critical'] }, [a]],
        ['language', { lang: ['zh'] }, [a]],
        ['complaint true', { complaint: true }, [a]],
        ['complaint false', { complaint: false }, [b, c]],
        ['survey metric', { surveyMetric: ['nps'] }, [c]],
        ['from (inclusive)', { from: '2025-01-20T00:00:00Z' }, [b, c]],
        ['to (exclusive)', { to: '2025-01-20T00:00:00Z' }, [a]],
        ['from and to with an offset', { from: '2025-01-20T08:00:00+08:00', to: '2025-02-01T08:00:00+08:00' }, [b]],
        ['dimension (any of the values)', { dimensions: { product: ['phone', 'tv'] } }, [a]],
        ['two dimensions together', { dimensions: { product: ['phone', 'app'], region: ['north'] } }, [a]],
        ['a dimension no document has', { dimensions: { color: ['red'] } }, []],
        ['a value no document has', { channel: ['news'] }, []],
        ['an empty list of values (no constraint)', { channel: [] }, [a, b, c]],
        ['several filters at once', { channel: ['social', 'review'], sentiment: ['positive'] }, [b]],
        ['includeDuplicates', { includeDuplicates: true, channel: ['social'] }, [a, dup]],
      ])('should filter by %s', async (_name, filters, expected) => {
        expect(await searchIds({ filters })).toEqual(ids(expected));
        expect(await index.count({ filters })).toBe(expected.length);
      });

      test('should hide duplicates by default', async () => {
        expect(await searchIds({})).toEqual(ids([a, b, c]));
        expect((await index.search({})).total).toBe(3);
      });

      test('should combine full text and filters', async () => {
        expect(await hits('快递', { includeDuplicates: true })).toEqual(ids([a, dup]));
        expect(await hits('快递', { from: '2025-01-11T00:00:00Z', includeDuplicates: true })).toEqual([dup.id]);
      });
    });

    describe('facets', () => {
      test('should count facets over all matches, not just the page, and add up to the total', async () => {
        const items = [
          ...Array.from({ length: 7 }, () => makeFeedback({ channel: 'social' })),
          ...Array.from({ length: 4 }, () => makeFeedback({ channel: 'review' })),
          makeFeedback({ channel: 'news' }),
        ];
        await index.upsert(items);
        const r = await index.search({ limit: 2, facets: ['channel', 'lang', 'sentiment'] });
        expect(r.total).toBe(12);
        expect(r.items).toHaveLength(2);
        expect(r.facets.channel).toEqual([
          { value: 'social', count: 7 }, { value: 'review', count: 4 }, { value: 'news', count: 1 },
        ]);
        for (const field of ['channel', 'lang', 'sentiment']) {
          expect(r.facets[field]!.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(12);
        }
      });

      test('should keep the most frequent values up to facetSize', async () => {
        await index.upsert([
          makeFeedback({ channel: 'social' }), makeFeedback({ channel: 'social' }),
          makeFeedback({ channel: 'review' }), makeFeedback({ channel: 'news' }), makeFeedback({ channel: 'news' }),
          makeFeedback({ channel: 'news' }),
        ]);
        const r = await index.search({ facets: ['channel'], facetSize: 2 });
        expect(r.facets.channel).toEqual([{ value: 'news', count: 3 }, { value: 'social', count: 2 }]);
      });

      test('should count each topic of a multi-topic item', async () => {
        await index.upsert([
          makeFeedback({ analysis: { topics: [{ id: 'delivery', score: 0.9 }, { id: 'refund', score: 0.6 }] } }),
          makeFeedback({ analysis: { topics: [{ id: 'delivery', score: 0.7 }] } }),
          makeFeedback({
            analysis: {
              topics: ['a', 'b', 'c', 'd', 'refund'].map((id) => ({ id, score: 0.5 })),
            },
          }),
          makeFeedback({ analysis: { topics: [] } }),
        ]);
        const r = await index.search({ facets: ['topic'], facetSize: 20 });
        expect(r.total).toBe(4);
        expect(r.facets.topic).toEqual([
          { value: 'delivery', count: 2 }, { value: 'refund', count: 2 },
          { value: 'a', count: 1 }, { value: 'b', count: 1 }, { value: 'c', count: 1 }, { value: 'd', count: 1 },
        ]);
        expect(await index.count({ filters: { topic: ['refund'] } })).toBe(2);
      });

      test('should facet by dimensions and by source', async () => {
        await index.upsert([
          makeFeedback({ dimensions: { supplier: 'acme' } }),
          makeFeedback({ dimensions: { supplier: 'acme' }, source: { id: 'other', kind: 'forum' } }),
          makeFeedback({ dimensions: { supplier: 'globex' } }),
          makeFeedback(),
        ]);
        const r = await index.search({ facets: ['dim.supplier', 'source', 'dim.unknown'] });
        expect(r.facets['dim.supplier']).toEqual([{ value: 'acme', count: 2 }, { value: 'globex', count: 1 }]);
        expect(r.facets.source).toEqual([{ value: 'forum-main', count: 3 }, { value: 'other', count: 1 }]);
        expect(r.facets['dim.unknown']).toEqual([]);
      });

      test('should reject an unknown facet field, naming it', async () => {
        const err = await index.search({ facets: ['channel', 'colour' as never] }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).details.map((d) => d.path)).toContain('facets[1]');
      });
    });

    describe('labels corrected by people', () => {
      test('should win over the analysis in filters, facets and aggregations', async () => {
        const f = makeFeedback({
          analysis: {
            sentiment: { label: 'negative', score: -0.5, confidence: 0.6 },
            topics: [{ id: 'delivery', score: 0.8 }],
            touchpoint: { journey: 'purchase', touchpoint: 'shipping' },
            escalation: { score: 0.3, level: 'low', signals: [] },
            complaint: { is: true, probability: 0.7 },
          },
        });
        const other = makeFeedback({ analysis: { topics: [{ id: 'delivery', score: 0.8 }] } });
        await index.upsert([f, other]);
        await index.patch(f.id, {
          labels: {
            sentiment: 'positive', topics: ['billing', 'app'], touchpoint: { journey: 'support', touchpoint: 'hotline' },
            escalationLevel: 'critical', complaint: false, correctedBy: 'ana',
          },
        });
        const only = async (filters: Filters) => searchIds({ filters });
        expect(await only({ sentiment: ['positive'] })).toEqual([f.id]);
        expect(await only({ sentiment: ['negative'] })).toEqual([other.id]);
        expect(await only({ topic: ['billing'] })).toEqual([f.id]);
        expect(await only({ topic: ['delivery'] })).toEqual([other.id]);
        expect(await only({ journey: ['support'] })).toEqual([f.id]);
        expect(await only({ touchpoint: ['hotline'] })).toEqual([f.id]);
        expect(await only({ escalationLevel: ['critical'] })).toEqual([f.id]);
        expect(await only({ complaint: false })).toEqual([f.id]);
        const r = await index.search({ facets: ['sentiment', 'topic'] });
        expect(r.facets.sentiment).toEqual([{ value: 'negative', count: 1 }, { value: 'positive', count: 1 }]);
        expect(r.facets.topic).toEqual([
          { value: 'app', count: 1 }, { value: 'billing', count: 1 }, { value: 'delivery', count: 1 },
        ]);
        expect(await index.terms({ field: 'escalationLevel' })).toEqual([
          { value: 'critical', count: 1 }, { value: 'low', count: 1 },
        ]);
      });

      test('should fall back to the analysis when a correction is removed', async () => {
        const f = makeFeedback();
        await index.upsert([f]);
        await index.patch(f.id, { labels: { sentiment: 'positive' } });
        await index.patch(f.id, { labels: { sentiment: null as never } });
        expect(await index.count({ filters: { sentiment: ['negative'] } })).toBe(1);
        expect((await index.get(f.id))?.labels).toBeUndefined();
      });
    });

    describe('full-text search', () => {
      const zh1 = makeFeedback({ lang: 'zh', text: '理赔速度太慢了' });
      const zh2 = makeFeedback({ lang: 'zh', text: '客服态度很差' });
      const zh3 = makeFeedback({ lang: 'zh', text: '快递三天还没到' });
      const zh4 = makeFeedback({ lang: 'zh', text: '我要投诉到消费者协会' });
      const en1 = makeFeedback({ text: 'My parcel was delivered to the wrong address' });
      const en2 = makeFeedback({ text: 'Still waiting for the refunds I was promised' });
      const en3 = makeFeedback({ text: 'The courier is delivering parcels late every week', title: 'Late courier' });
      const en4 = makeFeedback({ text: 'Customer service answered fast, refund processed', originalText: 'secret-word in the original' });

      beforeEach(async () => {
        await index.upsert([zh1, zh2, zh3, zh4, en1, en2, en3, en4]);
      });

      test.each([
        ['理赔', zh1], ['客服', zh2], ['快递', zh3], ['速度', zh1], ['理赔速度', zh1], ['消费者', zh4], ['协会', zh4],
      ])('should find Chinese text by the word %s', async (q, expected) => {
        expect(await hits(q)).toEqual([expected.id]);
      });

      test('should find a Chinese phrase that spans several words', async () => {
        expect(await hits('"客服态度"')).toEqual([zh2.id]);
        expect(await hits('投诉到消费者协会')).toEqual([zh4.id]);
        expect(await hits('态度客服')).toEqual([]);
      });

      test('should match English words by their stem', async () => {
        expect(await hits('refund')).toEqual(ids([en2, en4]));
        expect(await hits('refunds')).toEqual(ids([en2, en4]));
        expect(await hits('deliver')).toEqual(ids([en1, en3]));
        expect(await hits('delivered')).toEqual(ids([en1, en3]));
        expect(await hits('PARCEL')).toEqual(ids([en1, en3]));
      });

      test('should require every word, in any order', async () => {
        expect(await hits('parcel late')).toEqual([en3.id]);
        expect(await hits('late parcel')).toEqual([en3.id]);
      });

      test('should match quoted phrases only in that order', async () => {
        expect(await hits('"wrong address"')).toEqual([en1.id]);
        expect(await hits('"address wrong"')).toEqual([]);
      });

      test('should exclude words with a leading minus', async () => {
        expect(await hits('refund -fast')).toEqual([en2.id]);
        expect(await hits('parcel -"wrong address"')).toEqual([en3.id]);
      });

      test('should accept alternatives with OR and group them with parentheses', async () => {
        expect(await hits('理赔 OR 快递')).toEqual(ids([zh1, zh3]));
        expect(await hits('(refund OR courier) -fast')).toEqual(ids([en2, en3]));
      });

      test('should search the title as well as the text', async () => {
        expect(await hits('courier late')).toEqual([en3.id]);
      });

      test('should never search the original, unmasked text', async () => {
        expect(await hits('secret')).toEqual([]);
      });

      test('should treat search operators of the engine as plain words', async () => {
        expect(await hits('col:refunds')).toEqual([]);
        expect(await hits('refund^')).toEqual(ids([en2, en4]));
      });

      test.each(['refund "late', 'NEAR(', '"', '-only', '(refund', 'refund)', 'OR refund', 'refund OR'])(
        'should reject the malformed query %j with a query syntax error naming q',
        async (q) => {
          const err = await index.search({ q }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(QuerySyntaxError);
          expect((err as QuerySyntaxError).details[0]?.path).toBe('q');
        },
      );

      test('should say where an unbalanced quote starts', async () => {
        const err = await index.search({ q: 'refund "late' }).catch((e: unknown) => e);
        expect((err as QuerySyntaxError).details).toEqual([{ path: 'q', message: 'unbalanced quote at position 7' }]);
      });

      test.each(['*', 'col:x', 'NEAR(refund, late)', 'refund*', '^', 'AND', 'NOT', '-', '""', '()', 'a:b:c -', '\u0000', '😡'])(
        'should answer the odd query %j safely: a result or a query syntax error, never another error',
        async (q) => {
          const outcome = await index.search({ q }).then(
            (r) => (Array.isArray(r.items) ? 'result' : 'bad'),
            (e: unknown) => (e instanceof QuerySyntaxError ? 'syntax' : e),
          );
          expect(['result', 'syntax']).toContain(outcome);
        },
      );

      test('should treat a blank query as no query', async () => {
        expect((await index.search({ q: '   ' })).total).toBe(8);
      });
    });

    describe('sorting and pagination', () => {
      test('should sort by time, newest first, by default', async () => {
        const old = makeFeedback({ publishedAt: '2025-01-01T00:00:00Z' });
        const mid = makeFeedback({ publishedAt: '2025-02-01T00:00:00Z' });
        const recent = makeFeedback({ publishedAt: '2025-03-01T00:00:00Z' });
        await index.upsert([mid, old, recent]);
        expect((await index.search({})).items.map((f) => f.id)).toEqual([recent.id, mid.id, old.id]);
      });

      test.each(['time', 'relevance'] as const)(
        'should page through all matches with a cursor (%s sort) without repeats or gaps',
        async (sort) => {
          // Several items share a timestamp, so the tie-break has to be stable too.
          const items = Array.from({ length: 23 }, (_, i) =>
            makeFeedback({
              text: `refund request ${'refund '.repeat(i % 4)}number ${i}`,
              publishedAt: new Date(Date.UTC(2025, 0, 1 + Math.floor(i / 3))).toISOString(),
            }));
          await index.upsert(items);
          const seen: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const r = await index.search({ q: 'refund', sort, limit: 5, cursor });
            expect(r.total).toBe(23);
            seen.push(...r.items.map((f) => f.id));
            cursor = r.nextCursor ?? undefined;
            pages++;
          } while (cursor && pages < 10);
          expect(pages).toBe(5);
          expect(seen).toHaveLength(23);
          expect(new Set(seen).size).toBe(23);
        },
      );

      test('should return no next cursor on the last page', async () => {
        await index.upsert([makeFeedback(), makeFeedback()]);
        expect((await index.search({ limit: 2 })).nextCursor).toBeNull();
        expect((await index.search({ limit: 1 })).nextCursor).not.toBeNull();
      });

      test('should reject a cursor it did not issue', async () => {
        await expect(index.search({ cursor: 'garbage' })).rejects.toBeInstanceOf(ValidationError);
      });

      test('should rank better matches first when sorting by relevance', async () => {
        const weak = makeFeedback({ text: 'a long story about many things, the weather, the food, and once a refund', publishedAt: '2025-03-02T00:00:00Z' });
        const strong = makeFeedback({ text: 'refund refund refund', publishedAt: '2025-01-01T00:00:00Z' });
        await index.upsert([weak, strong]);
        expect((await index.search({ q: 'refund', sort: 'relevance' })).items.map((f) => f.id)).toEqual([strong.id, weak.id]);
        expect((await index.search({ q: 'refund', sort: 'time' })).items.map((f) => f.id)).toEqual([weak.id, strong.id]);
      });

      test('should sort by time when asked for relevance without a query', async () => {
        const old = makeFeedback({ publishedAt: '2025-01-01T00:00:00Z' });
        const recent = makeFeedback({ publishedAt: '2025-03-01T00:00:00Z' });
        await index.upsert([old, recent]);
        expect((await index.search({ sort: 'relevance' })).items.map((f) => f.id)).toEqual([recent.id, old.id]);
      });
    });

    describe('histogram', () => {
      test('should count per day in UTC, filling empty days with zero', async () => {
        await index.upsert([
          makeFeedback({ publishedAt: '2025-03-01T23:30:00Z' }),
          makeFeedback({ publishedAt: '2025-03-02T07:30:00+08:00' }), // 2025-03-01T23:30Z
          makeFeedback({ publishedAt: '2025-03-03T10:00:00Z' }),
        ]);
        expect(await index.histogram({ interval: 'day' })).toEqual([
          { key: '2025-03-01T00:00:00.000Z', count: 2 },
          { key: '2025-03-02T00:00:00.000Z', count: 0 },
          { key: '2025-03-03T00:00:00.000Z', count: 1 },
        ]);
      });

      test('should cover the whole from/to period', async () => {
        await index.upsert([makeFeedback({ publishedAt: '2025-03-02T10:00:00Z' })]);
        const r = await index.histogram({ interval: 'day', filters: { from: '2025-03-01T00:00:00Z', to: '2025-03-04T00:00:00Z' } });
        expect(r.map((b) => [b.key.slice(0, 10), b.count])).toEqual([['2025-03-01', 0], ['2025-03-02', 1], ['2025-03-03', 0]]);
      });

      test('should start weeks on Monday and months on the first', async () => {
        await index.upsert([
          makeFeedback({ publishedAt: '2025-03-02T10:00:00Z' }), // a Sunday
          makeFeedback({ publishedAt: '2025-03-03T10:00:00Z' }), // a Monday
          makeFeedback({ publishedAt: '2024-12-31T23:59:59Z' }),
        ]);
        const weeks = await index.histogram({ interval: 'week', filters: { from: '2025-02-20T00:00:00Z' } });
        expect(weeks).toEqual([
          { key: '2025-02-17T00:00:00.000Z', count: 0 },
          { key: '2025-02-24T00:00:00.000Z', count: 1 },
          { key: '2025-03-03T00:00:00.000Z', count: 1 },
        ]);
        const months = await index.histogram({ interval: 'month' });
        expect(months.map((b) => [b.key, b.count])).toEqual([
          ['2024-12-01T00:00:00.000Z', 1], ['2025-01-01T00:00:00.000Z', 0], ['2025-02-01T00:00:00.000Z', 0],
          ['2025-03-01T00:00:00.000Z', 2],
        ]);
      });

      test('should count per hour', async () => {
        await index.upsert([
          makeFeedback({ publishedAt: '2025-03-01T10:59:59Z' }),
          makeFeedback({ publishedAt: '2025-03-01T11:00:00Z' }),
        ]);
        expect(await index.histogram({ interval: 'hour' })).toEqual([
          { key: '2025-03-01T10:00:00.000Z', count: 1 },
          { key: '2025-03-01T11:00:00.000Z', count: 1 },
        ]);
      });

      test('should split buckets by the most frequent values and sum the rest under "other"', async () => {
        const day1 = '2025-03-01T10:00:00Z';
        const day2 = '2025-03-02T10:00:00Z';
        await index.upsert([
          makeFeedback({ channel: 'social', publishedAt: day1 }),
          makeFeedback({ channel: 'social', publishedAt: day1 }),
          makeFeedback({ channel: 'social', publishedAt: day2 }),
          makeFeedback({ channel: 'review', publishedAt: day2 }),
          makeFeedback({ channel: 'review', publishedAt: day2 }),
          makeFeedback({ channel: 'news', publishedAt: day1 }),
        ]);
        expect(await index.histogram({ interval: 'day', splitBy: 'channel', splitSize: 2 })).toEqual([
          { key: '2025-03-01T00:00:00.000Z', count: 3, split: { social: 2, review: 0, other: 1 } },
          { key: '2025-03-02T00:00:00.000Z', count: 3, split: { social: 1, review: 2, other: 0 } },
        ]);
      });

      test('should take the same query and filters as search', async () => {
        await index.upsert([
          makeFeedback({ text: 'refund please', publishedAt: '2025-03-01T10:00:00Z' }),
          makeFeedback({ text: 'refund please', channel: 'social', publishedAt: '2025-03-01T11:00:00Z' }),
          makeFeedback({ text: 'hello', publishedAt: '2025-03-01T12:00:00Z' }),
        ]);
        expect(await index.histogram({ q: 'refund', filters: { channel: ['forum'] } })).toEqual([
          { key: '2025-03-01T00:00:00.000Z', count: 1 },
        ]);
      });

      test('should return no buckets when nothing matches', async () => {
        expect(await index.histogram({ interval: 'day' })).toEqual([]);
      });
    });

    describe('terms', () => {
      test('should list the top values of a field for the selection', async () => {
        await index.upsert([
          makeFeedback({ text: 'refund', dimensions: { region: 'north' } }),
          makeFeedback({ text: 'refund', dimensions: { region: 'north' } }),
          makeFeedback({ text: 'refund', dimensions: { region: 'south' } }),
          makeFeedback({ text: 'refund', dimensions: { region: 'east' } }),
          makeFeedback({ text: 'other', dimensions: { region: 'east' } }),
        ]);
        expect(await index.terms({ field: 'dim.region', q: 'refund', size: 2 })).toEqual([
          { value: 'north', count: 2 }, { value: 'east', count: 1 },
        ]);
        expect(await index.terms({ field: 'complaint' })).toEqual([{ value: 'true', count: 5 }]);
      });
    });

    describe('score statistics', () => {
      test('should compute NPS: promoters 9–10, detractors 0–6, nps = promoters% − detractors%', async () => {
        await index.upsert([10, 9, 8, 3].map((s) => makeSurveyAnswer('nps', s)));
        expect(await index.scoreStats({ metric: 'nps' })).toEqual([{
          group: 'all', count: 4, mean: 7.5, min: 3, max: 10, promoters: 50, passives: 25, detractors: 25, nps: 25,
        }]);
      });

      test('should compute mean, min and max for CSAT and ignore other metrics', async () => {
        await index.upsert([
          makeSurveyAnswer('csat', 4), makeSurveyAnswer('csat', 5), makeSurveyAnswer('csat', 3), makeSurveyAnswer('nps', 0),
          makeFeedback(),
        ]);
        const [stats] = await index.scoreStats({ metric: 'csat' });
        expect(stats).toEqual({ group: 'all', count: 3, mean: 4, min: 3, max: 5 });
      });

      test('should report an empty selection with nulls', async () => {
        expect(await index.scoreStats({ metric: 'nps' })).toEqual([{
          group: 'all', count: 0, mean: null, min: null, max: null, promoters: 0, passives: 0, detractors: 0, nps: null,
        }]);
      });

      test('should group by a field, largest groups first', async () => {
        await index.upsert([
          makeSurveyAnswer('nps', 10, { dimensions: { store: 'a' } }),
          makeSurveyAnswer('nps', 0, { dimensions: { store: 'b' } }),
          makeSurveyAnswer('nps', 2, { dimensions: { store: 'b' } }),
        ]);
        const r = await index.scoreStats({ metric: 'nps', groupBy: 'dim.store' });
        expect(r.map((s) => [s.group, s.count, s.nps])).toEqual([['b', 2, -100], ['a', 1, 100]]);
      });
    });

    describe('patch', () => {
      test('should merge labels, set the case and bump the version', async () => {
        const f = makeFeedback();
        await index.upsert([f]);
        const first = await index.patch(f.id, { labels: { sentiment: 'positive', correctedBy: 'ana' } });
        expect(first.version).toBe(2);
        const second = await index.patch(f.id, { labels: { topics: ['billing'] }, caseId: 'case-7' }, { ifVersion: 2 });
        expect(second).toMatchObject({
          id: f.id, version: 3, caseId: 'case-7',
          labels: { sentiment: 'positive', correctedBy: 'ana', topics: ['billing'] },
        });
        expect(await index.get(f.id)).toEqual(second);
      });

      test('should remove a label patched to null and unlink a case patched to null', async () => {
        const f = makeFeedback();
        await index.upsert([f]);
        await index.patch(f.id, { labels: { sentiment: 'positive', topics: ['x'] }, caseId: 'case-1' });
        const r = await index.patch(f.id, { labels: { sentiment: null as never }, caseId: null });
        expect(r.labels).toEqual({ topics: ['x'] });
        expect(r.caseId ?? null).toBeNull();
      });

      test('should refuse a patch made against another version and change nothing', async () => {
        const f = makeFeedback();
        await index.upsert([f]);
        await expect(index.patch(f.id, { caseId: 'c' }, { ifVersion: 5 })).rejects.toBeInstanceOf(ConflictError);
        expect((await index.get(f.id))?.version).toBe(1);
        expect((await index.get(f.id))?.caseId ?? null).toBeNull();
      });

      test('should say not found for an unknown id', async () => {
        await expect(index.patch('nope', { caseId: 'c' })).rejects.toBeInstanceOf(NotFoundError);
      });

      test('should reject invalid labels with a validation error', async () => {
        const f = makeFeedback();
        await index.upsert([f]);
        const err = await index.patch(f.id, { labels: { sentiment: 'furious' as never } }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as AllearsError).details[0]?.path).toMatch(/^labels/);
      });
    });

    describe('repeat contact by author', () => {
      const tweet = (handle: string, publishedAt: string, extra: FeedbackOverrides = {}) =>
        makeFeedback({ source: { id: 'x', kind: 'twitter' }, channel: 'social', author: { handle }, publishedAt, ...extra });
      const window = (authorKey: string, since: string, until: string) => ({ authorKey, since, until });

      test('should answer several authors in one batch, newest first, with both window bounds inclusive', async () => {
        const before = tweet('ann', '2025-02-28T23:59:59.999Z');
        const first = tweet('ann', '2025-03-01T00:00:00.000Z');
        const middle = tweet('ann', '2025-03-05T12:00:00Z');
        const last = tweet('ann', '2025-03-10T00:00:00Z');
        const after = tweet('ann', '2025-03-10T00:00:00.001Z');
        // The customer wins over the author; the author id over the handle; the source kind is part of the key.
        const customer = tweet('ann', '2025-03-02T00:00:00Z', { customerRef: 'C-1' });
        const byId = makeFeedback({ source: { id: 'wb', kind: 'weibo' }, author: { id: '42', handle: 'ann' }, publishedAt: '2025-03-03T00:00:00Z' });
        const repost = tweet('bob', '2025-03-04T00:00:00Z', { analysis: { duplicateOf: middle.id } });
        const anonymous = makeFeedback({ publishedAt: '2025-03-04T00:00:00Z' });
        await index.upsert([before, first, middle, last, after, customer, byId, repost, anonymous]);

        const got = await index.recentByAuthor([
          window('author:twitter:ann', '2025-03-01T00:00:00Z', '2025-03-10T00:00:00Z'),
          window('customer:C-1', '2025-03-01T00:00:00Z', '2025-03-10T00:00:00Z'),
          window('author:weibo:42', '2025-03-01T00:00:00Z', '2025-03-10T00:00:00Z'),
          window('author:weibo:ann', '2025-03-01T00:00:00Z', '2025-03-10T00:00:00Z'),
          // A repost by its author is a contact too.
          window('author:twitter:bob', '2025-03-01T00:00:00Z', '2025-03-10T00:00:00Z'),
          window('author:twitter:nobody', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
          // The same author again, bounds with an offset: 08:00+08:00 is midnight UTC.
          window('author:twitter:ann', '2025-03-05T20:00:00+08:00', '2025-03-10T08:00:00.001+08:00'),
        ], 10);
        expect(got).toEqual([
          [last.id, middle.id, first.id],
          [customer.id],
          [byId.id],
          [],
          [repost.id],
          [],
          [after.id, last.id, middle.id],
        ]);
      });

      test('should return at most `limit` ids per author, the newest', async () => {
        const items = Array.from({ length: 6 }, (_, i) => tweet('cat', `2025-03-0${i + 1}T09:00:00Z`));
        await index.upsert(items);
        const [few, all] = await index.recentByAuthor([
          window('author:twitter:cat', '2025-03-01T00:00:00Z', '2025-03-31T00:00:00Z'),
          window('author:twitter:cat', '2025-03-01T00:00:00Z', '2025-03-31T00:00:00Z'),
        ], 2);
        expect(few).toEqual([items[5]!.id, items[4]!.id]);
        expect(all).toEqual(few);
      });

      test('should move an item to its new author when it is upserted again with another author', async () => {
        const f = tweet('dan', '2025-03-01T09:00:00Z');
        await index.upsert([f]);
        const w = (key: string) => window(key, '2025-03-01T00:00:00Z', '2025-03-02T00:00:00Z');
        expect(await index.recentByAuthor([w('author:twitter:dan'), w('author:twitter:eve')], 5)).toEqual([[f.id], []]);
        await index.upsert([{ ...f, author: { handle: 'eve' } }]);
        expect(await index.recentByAuthor([w('author:twitter:dan'), w('author:twitter:eve')], 5)).toEqual([[], [f.id]]);
        // A correction by people changes no author.
        await index.patch(f.id, { labels: { sentiment: 'positive' } });
        expect(await index.recentByAuthor([w('author:twitter:eve')], 5)).toEqual([[f.id]]);
      });

      test('should answer an empty batch and a batch of 500 in order', async () => {
        expect(await index.recentByAuthor([], 5)).toEqual([]);
        const items = Array.from({ length: 50 }, (_, i) => tweet(`u${i}`, '2025-03-01T09:00:00Z'));
        await index.upsert(items);
        const queries = Array.from({ length: 500 }, (_, i) => window(`author:twitter:u${i % 60}`, '2025-03-01T00:00:00Z', '2025-03-02T00:00:00Z'));
        const got = await index.recentByAuthor(queries, 3);
        expect(got).toHaveLength(500);
        got.forEach((list, i) => expect(list, `query ${i}`).toEqual(i % 60 < 50 ? [items[i % 60]!.id] : []));
      });

      test('should reject a bad limit or date with a validation error naming the field', async () => {
        const w = window('author:twitter:ann', '2025-03-01T00:00:00Z', '2025-03-02T00:00:00Z');
        const bad = async (run: () => Promise<unknown>) => run().catch((e: unknown) => e);
        const e1 = await bad(() => index.recentByAuthor([w], 0));
        expect(e1).toBeInstanceOf(ValidationError);
        expect((e1 as AllearsError).details[0]?.path).toBe('limit');
        const e2 = await bad(() => index.recentByAuthor([w, { ...w, until: 'yesterday' }], 5));
        expect(e2).toBeInstanceOf(ValidationError);
        expect((e2 as AllearsError).details[0]?.path).toBe('queries[1].until');
      });
    });

    describe('filter by correction', () => {
      const plain = makeFeedback({ text: 'nobody looked at this one', publishedAt: '2025-03-01T01:00:00Z' });
      const sentiment = makeFeedback({ text: 'sentiment corrected', publishedAt: '2025-03-01T02:00:00Z', channel: 'social' });
      const topics = makeFeedback({ text: 'topics corrected to none', publishedAt: '2025-03-01T03:00:00Z', analysis: { topics: [{ id: 'delivery', score: 0.9 }] } });
      // A correction to "no touchpoint" is a correction too.
      const touchpoint = makeFeedback({
        text: 'touchpoint corrected to none', publishedAt: '2025-03-01T04:00:00Z', labels: { touchpoint: null },
        analysis: { touchpoint: { journey: 'purchase', touchpoint: 'shipping' } },
      });
      const whoOnly = makeFeedback({ text: 'only who looked', publishedAt: '2025-03-01T05:00:00Z', labels: { correctedBy: 'ana' } });
      const duplicate = makeFeedback({ text: 'a repost', publishedAt: '2025-03-01T06:00:00Z', analysis: { duplicateOf: plain.id } });

      beforeEach(async () => {
        await index.upsert([plain, sentiment, topics, touchpoint, whoOnly, duplicate]);
        await index.patch(sentiment.id, { labels: { sentiment: 'positive', correctedBy: 'ana' } });
        await index.patch(topics.id, { labels: { topics: [] } });
        await index.patch(duplicate.id, { labels: { escalationLevel: 'high' } });
      });

      test.each<[string, Filters, () => Feedback[]]>([
        ['one label', { corrected: ['sentiment'] }, () => [sentiment]],
        ['any of several labels', { corrected: ['topics', 'touchpoint', 'complaint'] }, () => [topics, touchpoint]],
        ['a label nobody corrected', { corrected: ['complaint'] }, () => []],
        ['an empty list (no constraint)', { corrected: [] }, () => [plain, sentiment, topics, touchpoint, whoOnly]],
        ['duplicates only when asked for', { corrected: ['escalationLevel', 'sentiment'], includeDuplicates: true }, () => [sentiment, duplicate]],
        ['hiding duplicates by default', { corrected: ['escalationLevel'] }, () => []],
        ['the corrected value together with other filters', { corrected: ['sentiment', 'topics'], sentiment: ['positive'], channel: ['social'] }, () => [sentiment]],
        ['other filters that exclude it', { corrected: ['sentiment'], sentiment: ['negative'] }, () => []],
        ['a time range', { corrected: ['sentiment', 'topics', 'touchpoint'], from: '2025-03-01T03:00:00Z' }, () => [topics, touchpoint]],
      ])('should select items people corrected: %s', async (_name, filters, expected) => {
        expect(await searchIds({ filters })).toEqual(ids(expected()));
        expect(await index.count({ filters })).toBe(expected().length);
      });

      test('should count facets and combine with full text over the corrected items only', async () => {
        const r = await index.search({ filters: { corrected: ['sentiment', 'topics', 'touchpoint'] }, facets: ['sentiment', 'topic', 'touchpoint'] });
        expect(r.total).toBe(3);
        expect(r.facets.sentiment).toEqual([{ value: 'negative', count: 2 }, { value: 'positive', count: 1 }]);
        expect(r.facets.topic).toEqual([]);
        expect(r.facets.touchpoint).toEqual([]);
        expect(await hits('corrected', { corrected: ['topics'] })).toEqual([topics.id]);
        expect(await index.terms({ field: 'sentiment', filters: { corrected: ['sentiment'] } })).toEqual([{ value: 'positive', count: 1 }]);
      });

      test('should follow patches that add a correction or remove it with null', async () => {
        await index.patch(plain.id, { labels: { complaint: false } });
        expect(await searchIds({ filters: { corrected: ['complaint'] } })).toEqual([plain.id]);
        await index.patch(sentiment.id, { labels: { sentiment: null as never } });
        expect(await index.count({ filters: { corrected: ['sentiment'] } })).toBe(0);
        // Still corrected by someone, but on nothing the filter names.
        expect((await index.get(sentiment.id))?.labels).toEqual({ correctedBy: 'ana' });
        await index.patch(plain.id, { labels: { complaint: null as never, topics: ['billing'] } });
        expect(await searchIds({ filters: { corrected: ['complaint'] } })).toEqual([]);
        expect(await searchIds({ filters: { corrected: ['topics'] } })).toEqual(ids([plain, topics]));
        // A re-crawl without labels keeps the corrections, and so the filter.
        await index.upsert([plain]);
        expect(await searchIds({ filters: { corrected: ['topics'] } })).toEqual(ids([plain, topics]));
      });

      test('should reject a label that cannot be corrected, naming it', async () => {
        const err = await index.count({ filters: { corrected: ['caseId' as never] } }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as AllearsError).details[0]?.path).toMatch(/corrected/);
      });
    });
  });
}
