import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { AllearsError, type Feedback, type HistogramQuery, type SearchQuery } from '../../model/index.ts';
import type { FeedbackIndex } from '../../store/ports.ts';
import { openDb, type Db } from '../../store/sqlite/db.ts';
import { SqliteFeedbackIndex } from '../../store/sqlite/feedback-index.ts';
import { IndexRejectedError } from '../../store/elasticsearch/errors.ts';
import { ElasticsearchFeedbackIndex } from '../../store/elasticsearch/feedback-index.ts';
import type { ElasticsearchIndexOptions } from '../../store/elasticsearch/options.ts';
import { feedbackIndexContract } from './feedback-index.contract.ts';
import { makeFeedback } from './fixtures.ts';

/** The Elasticsearch the suite runs against: ALLEARS_TEST_ELASTICSEARCH_URL, or the one CI starts on 9200. */
const ES_URL = process.env.ALLEARS_TEST_ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
const inCi = process.env.CI === 'true';
/** Every index and template of this run starts with it; each test gets a prefix of its own below it. */
const RUN = `allears-test-${randomUUID().slice(0, 8)}`;
let counter = 0;

const client = new Client({ node: ES_URL, maxRetries: 0, requestTimeout: 30_000 });

async function answers(): Promise<boolean> {
  try {
    return (await client.info({}, { requestTimeout: 3000 })).version.number.startsWith('8.');
  } catch {
    return false;
  }
}

const reachable = await answers();
if (!reachable) await client.close();

/**
 * An index of its own for each test, with the default refresh policy ('wait_for') and a short
 * refresh interval so that waiting for visibility stays short.
 */
async function openIndex(extra: Partial<ElasticsearchIndexOptions> = {}, c: Client = client): Promise<ElasticsearchFeedbackIndex> {
  return ElasticsearchFeedbackIndex.open({
    node: ES_URL, indexPrefix: `${RUN}-${++counter}`, shards: 1, replicas: 0, refreshInterval: '50ms', retryBaseMs: 10, ...extra,
  }, { client: c });
}

/** Removes whatever a failed test left behind. */
async function dropRun(): Promise<void> {
  const indices = Object.keys(await client.indices.get({ index: `${RUN}-*`, allow_no_indices: true }, { ignore: [404] }) ?? {});
  if (indices.length > 0) await client.indices.delete({ index: indices });
  const templates = await client.indices.getIndexTemplate({ name: `${RUN}-*` }, { ignore: [404] });
  const names = (templates?.index_templates ?? []).map((t) => t.name);
  if (names.length > 0) await client.indices.deleteIndexTemplate({ name: names.join(',') });
}

if (reachable) {
  afterAll(async () => {
    await dropRun();
    await client.close();
  });

  feedbackIndexContract('elasticsearch', async () => {
    const index = await openIndex();
    // close() leaves the shared client open, so the indices can still be dropped.
    return { index, cleanup: () => index.drop() };
  });

  describe('Elasticsearch adapter: rollover, bulk retries, setup', () => {
    let index: ElasticsearchFeedbackIndex;
    beforeEach(async () => {
      index = await openIndex();
    });
    afterEach(async () => {
      await index.close();
      await index.drop();
    });

    const ids = (items: readonly Feedback[]) => items.map((f) => f.id).sort();

    test('should keep one copy of an id upserted again after a rollover, in the index that holds it', async () => {
      const a = makeFeedback({ text: 'refund for the broken kettle' });
      const b = makeFeedback({ text: 'courier was late' });
      await index.upsert([a, b]);
      expect(await index.rollover({ maxDocs: 1000 })).toMatchObject({ rolledOver: false });
      const rolled = await index.rollover('now');
      expect(rolled).toMatchObject({ rolledOver: true, oldIndex: index.names.firstIndex, newIndex: `${index.names.writeAlias}-000002` });
      expect(await index.backingIndices()).toEqual([index.names.firstIndex, rolled.newIndex]);

      const c = makeFeedback({ text: 'refund please' });
      expect(await index.upsert([{ ...a, text: 'refund for the broken toaster' }, c])).toEqual({ created: 1, updated: 1 });
      expect(await index.count()).toBe(3);
      expect(ids((await index.search({ q: 'refund', limit: 10 })).items)).toEqual(ids([a, c]));
      expect(await index.count({ q: 'kettle' })).toBe(0);
      expect(await index.get(a.id)).toMatchObject({ text: 'refund for the broken toaster', version: 2 });
      const patched = await index.patch(a.id, { caseId: 'case-1' }, { ifVersion: 2 });
      expect(patched.version).toBe(3);

      // Each id is in exactly one backing index: a and b in the first, c in the second.
      const where = await client.search({ index: index.names.readAlias, query: { match_all: {} }, size: 10, _source: false });
      expect(where.hits.hits.map((h) => [h._id, h._index]).sort()).toEqual(
        [[a.id, index.names.firstIndex], [b.id, index.names.firstIndex], [c.id, rolled.newIndex]].sort(),
      );
    });

    test('should remove a stray second copy of an id when it is written again', async () => {
      const a = makeFeedback();
      await index.upsert([a]);
      await index.rollover('now');
      // A copy in the new write index, as an interrupted write of an older program could leave.
      await client.index({ index: index.names.writeAlias, id: a.id, document: { ...a, version: 1 }, refresh: true });
      expect(await index.upsert([a])).toEqual({ created: 0, updated: 1 });
      expect(await index.count()).toBe(1);
      expect((await index.get(a.id))?.version).toBe(2);
    });

    test('should retry only the items that failed with 429, and report items refused for good with their id and reason', async () => {
      const spy = new Client({ node: ES_URL, maxRetries: 0 });
      const real = spy.bulk.bind(spy);
      const calls: Array<string[]> = [];
      const items = Array.from({ length: 5 }, (_, i) => makeFeedback({ text: `item ${i}` }));
      const busy = items[2]!;
      const bad = { ...makeFeedback({ text: 'bad engagement' }), engagement: { likes: 'many' as unknown as number } };
      spy.bulk = (async (params: { operations: unknown[] }, opts?: unknown) => {
        const isAction = (op: unknown): boolean => typeof op === 'object' && op !== null && ('create' in op || 'index' in op || 'delete' in op);
        const actions: unknown[] = params.operations.filter(isAction);
        const idOf = (op: unknown) => Object.values(op as Record<string, { _id: string }>)[0]!._id;
        calls.push(actions.map(idOf));
        if (calls.length > 1) return real(params as never, opts as never);
        // First call: the engine is "too busy" for one item; the others go through for real.
        const at = params.operations.findIndex((op) => actions.includes(op) && idOf(op) === busy.id);
        const operations = [...params.operations];
        operations.splice(at, 2);
        const res = await real({ ...params, operations } as never, opts as never);
        res.items.splice(actions.indexOf(params.operations[at]), 0, {
          create: { _index: index.names.writeAlias, _id: busy.id, status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution (queue full)' } },
        });
        return res;
      }) as typeof spy.bulk;
      const withSpy = await openIndex({}, spy);
      try {
        const err = await withSpy.upsert([...items, bad]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(IndexRejectedError);
        const rejected = err as IndexRejectedError;
        expect(rejected.retryable).toBe(false);
        expect(rejected.stored).toEqual({ created: 5, updated: 0 });
        expect(rejected.details).toHaveLength(1);
        expect(rejected.details[0]).toMatchObject({ path: 'items[5]', index: 5 });
        expect(rejected.details[0]!.message).toContain(`feedback ${bad.id}`);
        expect(rejected.details[0]!.message).toContain('engagement.likes');
        // The second request carried the busy item alone.
        expect(calls).toHaveLength(2);
        expect(calls[0]).toHaveLength(6);
        expect(calls[1]).toEqual([busy.id]);
        expect(await withSpy.count()).toBe(5);
        expect((await withSpy.get(busy.id))?.version).toBe(1);
        expect(await withSpy.get(bad.id)).toBeNull();
      } finally {
        await withSpy.close();
        await withSpy.drop();
        await spy.close();
      }
    });

    test('with refresh false, should keep one copy of an id written again before any refresh, and a patch should show at once', async () => {
      // Periodic refresh off: nothing the bulk writes becomes searchable until something refreshes.
      const fast = await openIndex({ refresh: false, refreshInterval: '-1' });
      try {
        const a = makeFeedback({ text: 'parcel lost again' });
        expect(await fast.upsert([a])).toEqual({ created: 1, updated: 0 });
        expect(await fast.count()).toBe(0);
        // The id cannot be found by a search yet: the create is refused and the copy is read in realtime.
        expect(await fast.upsert([{ ...a, text: 'parcel lost, third time' }])).toEqual({ created: 0, updated: 1 });
        await client.indices.refresh({ index: fast.names.readAlias });
        expect(await fast.count()).toBe(1);
        expect(await fast.get(a.id)).toMatchObject({ text: 'parcel lost, third time', version: 2 });
        await fast.patch(a.id, { labels: { sentiment: 'negative' } });
        expect(await fast.count({ filters: { corrected: ['sentiment'] } })).toBe(1);
      } finally {
        await fast.close();
        await fast.drop();
      }
    });

    test('should count repeats of an id within one batch as the embedded index does', async () => {
      const a = makeFeedback({ text: 'first' });
      expect(await index.upsert([a, { ...a, text: 'second' }])).toEqual({ created: 1, updated: 1 });
      expect(await index.get(a.id)).toMatchObject({ text: 'second', version: 2 });
      expect(await index.count()).toBe(1);
    });

    test('should refuse to open over an index that stands where the write alias belongs', async () => {
      const prefix = `${RUN}-clash-${++counter}`;
      await client.indices.create({ index: `${prefix}-feedback` });
      try {
        const err = await ElasticsearchFeedbackIndex.open({ node: ES_URL, indexPrefix: prefix, replicas: 0 }, { client }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AllearsError);
        expect((err as Error).message).toContain(`${prefix}-feedback`);
        expect((err as Error).message).toContain('not the write alias');
      } finally {
        await client.indices.delete({ index: `${prefix}-feedback` });
        await client.indices.deleteIndexTemplate({ name: `${prefix}-feedback` }, { ignore: [404] });
      }
    });

    test('should refuse to write into indices made for another schema version, saying what to do', async () => {
      await client.indices.putMapping({ index: index.names.writeAlias, _meta: { allears: { schemaVersion: 0 } } });
      const prefix = index.names.writeAlias.replace(/-feedback$/u, '');
      const err = await ElasticsearchFeedbackIndex.open({ node: ES_URL, indexPrefix: prefix, replicas: 0 }, { client }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AllearsError);
      expect((err as AllearsError).code).toBe('index_mapping_conflict');
      expect((err as Error).message).toContain(`index ${index.names.firstIndex}`);
      expect((err as Error).message).toContain('schema version 0');
      expect((err as Error).message).toContain('re-index');
    });

    test('should explain a template that clashes with another one', async () => {
      const prefix = `${RUN}-tpl-${++counter}`;
      await client.indices.putIndexTemplate({ name: `${prefix}-other`, index_patterns: [`${prefix}-feedback-*`], priority: 500 });
      try {
        const err = await ElasticsearchFeedbackIndex.open({ node: ES_URL, indexPrefix: prefix, replicas: 0 }, { client }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AllearsError);
        expect((err as AllearsError).code).toBe('index_template_conflict');
        expect((err as Error).message).toContain(`could not install the index template ${prefix}-feedback`);
        expect((err as Error).message).toContain(`${prefix}-other`);
      } finally {
        await client.indices.deleteIndexTemplate({ name: `${prefix}-other` });
      }
    });

    test('should open an existing index again without touching its documents', async () => {
      const a = makeFeedback();
      await index.upsert([a]);
      const again = await ElasticsearchFeedbackIndex.open({ node: ES_URL, indexPrefix: index.names.writeAlias.replace(/-feedback$/u, ''), replicas: 0 }, { client });
      expect(await again.get(a.id)).toMatchObject({ id: a.id, version: 1 });
      expect(await again.health()).toEqual({ ok: true });
      await again.close();
    });
  });

  /** Real labelled feedback from ../shared/data (absent outside the project's machines and CI). */
  const DATA = fileURLToPath(new URL('../../../shared/data', import.meta.url));
  const haveData = existsSync(join(DATA, 'airline/tweets.csv')) && existsSync(join(DATA, 'zh/waimai_10k.csv'));
  if (!haveData && inCi) throw new Error(`the Elasticsearch/embedded comparison needs ${DATA} (the shared evaluation data)`);
  if (!haveData) console.warn(`skipping the Elasticsearch/embedded comparison: ${DATA} is absent`);

  describe.skipIf(!haveData)('Elasticsearch adapter: the same answers as the embedded index on real feedback', () => {
    let es: ElasticsearchFeedbackIndex;
    let sqlite: SqliteFeedbackIndex;
    let db: Db;
    let dir: string;

    const rows = (file: string, n: number) =>
      (parseCsv(readFileSync(join(DATA, file)), { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[]).slice(0, n);

    beforeAll(async () => {
      const items: Feedback[] = [];
      for (const r of rows('airline/tweets.csv', 600)) {
        if (!r.text?.trim()) continue;
        const published = new Date(r.tweet_created!.replace(' ', 'T').replace(/ ([+-]\d\d)(\d\d)$/u, '$1:$2'));
        items.push(makeFeedback({
          text: r.text, channel: 'social', source: { id: 'twitter', kind: 'social' }, externalId: `tw-${r.tweet_id}`,
          publishedAt: published.toISOString(), dimensions: { airline: r.airline! },
          analysis: { sentiment: { label: r.airline_sentiment as 'negative', score: 0, confidence: 1 } },
        }));
      }
      const zh = [...rows('zh/waimai_10k.csv', 300), ...rows('zh/waimai_10k.csv', 8000).slice(-300)];
      zh.forEach((r, i) => {
        if (!r.review?.trim()) return;
        items.push(makeFeedback({
          text: r.review, lang: 'zh', channel: 'review', source: { id: 'waimai', kind: 'review' }, externalId: `wm-${i}`,
          publishedAt: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString(),
          analysis: { sentiment: { label: r.label === '1' ? 'positive' : 'negative', score: 0, confidence: 1 } },
        }));
      });
      dir = mkdtempSync(join(tmpdir(), 'allears-es-compare-'));
      db = openDb(join(dir, 'allears.db'));
      sqlite = new SqliteFeedbackIndex(db);
      es = await openIndex();
      await sqlite.upsert(items);
      await es.upsert(items);
    }, 120_000);

    afterAll(async () => {
      await sqlite?.close();
      db?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      await es?.close();
      await es?.drop();
    });

    /** Every match of a query, through the cursor. */
    async function all(index: FeedbackIndex, query: SearchQuery): Promise<{ total: number; ids: string[] }> {
      const ids: string[] = [];
      let cursor: string | undefined;
      let total = 0;
      do {
        const r = await index.search({ ...query, limit: 200, cursor });
        total = r.total;
        ids.push(...r.items.map((f) => f.id));
        cursor = r.nextCursor ?? undefined;
      } while (cursor);
      return { total, ids: ids.sort() };
    }

    test.each([
      'flight', 'flights', 'delayed', 'delay', 'cancelled flight', '"customer service"', 'bag OR luggage', 'flight -cancelled',
      '(late OR delayed) flight', 'thanks', '@united', 'united', "can't", 'DM', '#fail', 'http', 'hours -hold', 'on hold',
      '送餐', '太慢', '味道', '味道不错', '"送餐很及时"', '好吃 -难吃', '态度 OR 服务', '外卖', '米饭', '不好吃', '一个小时',
      '送餐 OR flight', '快', '难吃 OR 太慢 OR 冷了',
    ])('should find the same documents for %j', async (q) => {
      const [a, b] = await Promise.all([all(sqlite, { q }), all(es, { q })]);
      expect(a.total, 'a query that finds something').toBeGreaterThan(0);
      expect(b.total).toBe(a.total);
      expect(b.ids).toEqual(a.ids);
    });

    test('should give the same facets, terms, histogram and counts', async () => {
      const query = { q: 'flight OR 送餐', facets: ['channel', 'sentiment', 'dim.airline', 'lang'] as const, facetSize: 20 };
      const [a, b] = await Promise.all([sqlite.search({ ...query, facets: [...query.facets] }), es.search({ ...query, facets: [...query.facets] })]);
      expect(b.facets).toEqual(a.facets);
      expect(await es.terms({ field: 'dim.airline', size: 3 })).toEqual(await sqlite.terms({ field: 'dim.airline', size: 3 }));
      const h: HistogramQuery = { interval: 'day', splitBy: 'sentiment', splitSize: 2, filters: { channel: ['social'] } };
      expect(await es.histogram(h)).toEqual(await sqlite.histogram(h));
      expect(await es.histogram({ interval: 'week', q: '送餐' })).toEqual(await sqlite.histogram({ interval: 'week', q: '送餐' }));
      expect(await es.count({ filters: { sentiment: ['negative'], lang: ['en'] } })).toBe(await sqlite.count({ filters: { sentiment: ['negative'], lang: ['en'] } }));
    });
  });
} else if (inCi) {
  describe('FeedbackIndex contract: elasticsearch', () => {
    test('needs Elasticsearch', () => {
      throw new Error(`Elasticsearch unreachable at ${ES_URL} (set ALLEARS_TEST_ELASTICSEARCH_URL)`);
    });
  });
} else {
  console.warn(`skipping the Elasticsearch FeedbackIndex contract: Elasticsearch unreachable at ${ES_URL} (set ALLEARS_TEST_ELASTICSEARCH_URL)`);
  describe.skip(`FeedbackIndex contract: elasticsearch (unreachable at ${ES_URL})`, () => {
    test('needs Elasticsearch', () => undefined);
  });
}
