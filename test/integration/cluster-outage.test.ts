import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { describe, test, type ExpectStatic, type TestContext } from 'vitest';
import { feedbackId, type RawItemInput } from '../../model/index.ts';
import { makeItems } from '../helpers/items.ts';
import { redisServerAvailable, startRedisServer } from '../helpers/redis.ts';
import {
  clusterAvailable, clusterNames, clusterProcessEnv, refreshIndices, startRole, TEST_ELASTICSEARCH_URL, type ClusterNames,
} from '../helpers/runtime.ts';
import { freePort, stop, type Proc } from '../helpers/server.ts';
import { getJson, tempDir, waitFor } from '../helpers/tmp.ts';

const available = await clusterAvailable('the cluster outage tests');
const canStartRedis = available && redisServerAvailable('the cluster Redis-restart test');

/**
 * A TCP proxy in front of Elasticsearch that the test can take down (the port refuses
 * connections, open ones are cut) and bring back on the same port.
 */
class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  constructor(readonly port: number, private readonly target: { host: string; port: number }) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise((r) => server.close(r));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

interface Health { status: string; checks: Array<{ name: string; ok: boolean; detail?: string }> }

async function health(url: string): Promise<{ status: number; body: Health }> {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as Health };
}

async function post(url: string, items: RawItemInput[]): Promise<{ status: number; ids: string[] }> {
  try {
    const res = await fetch(`${url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(items) });
    const body = (await res.json()) as { ids?: string[] };
    return { status: res.status, ids: body.ids ?? [] };
  } catch {
    return { status: 0, ids: [] };
  }
}

const drained = (q: { queues: Array<{ waiting: number; active: number; delayed: number }> }) =>
  q.queues.every((s) => s.waiting + s.active + s.delayed === 0);
const deadCount = (q: { queues: Array<{ dead: number }> }) => q.queues.reduce((s, x) => s + x.dead, 0);

/**
 * What a test started and must stop, its names, its temporary directory and an Elasticsearch client
 * for counting; all removed when the test ends (the two tests run side by side).
 */
function setup(names: ClusterNames, ctx: TestContext): { dir: string; es: Client; readAlias: string; procs: Proc[]; cleanups: Array<() => Promise<unknown> | unknown> } {
  const t = tempDir();
  const es = new Client({ node: TEST_ELASTICSEARCH_URL, requestTimeout: 30_000 });
  const procs: Proc[] = [];
  const cleanups: Array<() => Promise<unknown> | unknown> = [() => t.cleanup(), () => es.close(), () => names.drop()];
  ctx.onTestFinished(async () => {
    while (procs.length) await stop(procs.pop()!, 'SIGKILL');
    while (cleanups.length) await cleanups.pop()!();
  });
  return { dir: t.dir, es, readAlias: `${names.indexPrefix}-feedback-read`, procs, cleanups };
}

/** Every id indexed exactly once: one document per id, none twice, nothing else. */
async function expectIndexedOnce(expect: ExpectStatic, es: Client, readAlias: string, ids: Set<string>): Promise<void> {
  expect((await es.count({ index: readAlias })).count).toBe(ids.size);
  const twice = await es.search({ index: readAlias, size: 0, aggs: { ids: { terms: { field: 'id', min_doc_count: 2, size: 10 } } } });
  expect((twice.aggregations!.ids as { buckets: unknown[] }).buckets).toEqual([]);
  const found = new Set<string>();
  let after: Array<string | number> | undefined;
  for (;;) {
    const page = await es.search({ index: readAlias, size: 1000, _source: ['id'], sort: [{ id: 'asc' }], ...(after ? { search_after: after } : {}) });
    if (page.hits.hits.length === 0) break;
    for (const h of page.hits.hits) found.add((h._source as { id: string }).id);
    after = page.hits.hits.at(-1)!.sort as Array<string | number>;
  }
  expect([...ids].filter((id) => !found.has(id))).toEqual([]);
}

describe.skipIf(!available).concurrent('cluster mode: outages of Elasticsearch and Redis', () => {
  test('Elasticsearch unreachable for 30 s: /healthz says so, ingest goes on, everything is indexed once it is back', async (ctx) => {
    const { expect } = ctx;
    const names = clusterNames();
    const { dir, es, readAlias, procs, cleanups } = setup(names, ctx);
    const esUrl = new URL(TEST_ELASTICSEARCH_URL);
    const proxy = new TcpProxy(await freePort(), { host: esUrl.hostname, port: Number(esUrl.port || 9200) });
    await proxy.up();
    cleanups.push(() => proxy.down());
    // The product's retry settings are kept (worker.maxAttempts 5, worker.backoff 1s, doubling).
    // What carries a batch through the outage: each attempt of it already retries the write a few
    // times inside the index adapter (elasticsearch maxItemAttempts 5, from 200 ms, doubling), and
    // every failed attempt slows the whole queue down (back-pressure doubling from 1 s, see
    // BullmqQueue `slowdown`), so attempts are spent slowly. A quiet queue is the hard case, as all
    // the attempts then fall on the same few batches: hence few batches here, not thousands.
    const env = clusterProcessEnv(dir, names, { elasticsearchUrl: proxy.url, worker: { threads: 0, batchSize: 50 } });
    const [api, worker] = await Promise.all([freePort().then((port) => startRole('api', env, port)), startRole('worker', env)]);
    procs.push(api!, worker!);
    const get = (path: string) => getJson(`${api!.url}${path}`);

    const acknowledged = new Set<string>();
    const before = await post(api!.url, makeItems(150, { prefix: 'esout', source: 'esout' }));
    expect(before.status).toBe(202);
    for (const id of before.ids) acknowledged.add(id);
    await waitFor(async () => (await es.count({ index: readAlias })).count > 0, { timeoutMs: 60_000, intervalMs: 20, what: 'the first batch to be indexed' });

    await proxy.down();
    const downAt = Date.now();
    const during = await waitFor(async () => {
      const h = await health(api!.url);
      return h.status === 503 && h;
    }, { timeoutMs: 30_000, intervalMs: 200, what: '/healthz to report Elasticsearch down' });
    expect(during.body.status).toBe('degraded');
    expect(during.body.checks.find((c) => c.name === 'elasticsearch')).toMatchObject({ ok: false });
    expect(during.body.checks.filter((c) => c.name !== 'elasticsearch').every((c) => c.ok)).toBe(true);

    // The queue is Redis: items sent now are still accepted.
    for (let k = 0; k < 2; k++) {
      const res = await post(api!.url, makeItems(50, { prefix: 'esout', source: 'esout', start: 150 + k * 50 }));
      expect(res.status).toBe(202);
      for (const id of res.ids) acknowledged.add(id);
      await new Promise((r) => setTimeout(r, 10_000));
    }
    expect((await health(api!.url)).status).toBe(503);
    expect((await es.count({ index: readAlias })).count).toBeLessThan(acknowledged.size);
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - downAt))));
    await proxy.up();

    await waitFor(async () => (await health(api!.url)).status === 200, { timeoutMs: 60_000, intervalMs: 200, what: '/healthz to recover' });
    await waitFor(async () => {
      const q = await get('/api/queue');
      return (drained(q) || deadCount(q) > 0) && q;
    }, { timeoutMs: 150_000, intervalMs: 250, what: 'the queue to drain' });
    const queue = await get('/api/queue');
    expect(deadCount(queue), JSON.stringify(queue.deadLetters)).toBe(0);
    // Workers do not wait for a refresh (elasticsearch.refresh false): make their last writes searchable.
    await refreshIndices(names.indexPrefix);
    expect(acknowledged.size).toBe(250);
    await expectIndexedOnce(expect, es, readAlias, acknowledged);
  }, 180_000);

  test.skipIf(!canStartRedis)('Redis restarted during processing: /healthz says so, every acknowledged item is indexed exactly once', async (ctx) => {
    const { expect } = ctx;
    const t = tempDir('allears-redis-');
    ctx.onTestFinished(() => t.cleanup());
    // Append-only, synced at every write: what Redis acknowledged survives `SHUTDOWN NOSAVE`.
    const redis = await startRedisServer({ dir: t.dir });
    ctx.onTestFinished(() => redis.shutdown());
    const names = clusterNames(redis.url);
    const { dir, es, readAlias, procs } = setup(names, ctx);
    const env = clusterProcessEnv(dir, names, { worker: { threads: 0, batchSize: 50 } });
    const [api, worker] = await Promise.all([freePort().then((port) => startRole('api', env, port)), startRole('worker', env)]);
    procs.push(api!, worker!);
    const get = (path: string) => getJson(`${api!.url}${path}`);

    const acknowledged = new Set<string>();
    const sent = new Set<string>();
    let batch = 0;
    const send = async (n: number) => {
      const items = makeItems(n, { prefix: `rr${batch}`, source: 'rr' });
      batch++;
      for (const it of items) sent.add(feedbackId('rr', it.externalId));
      const res = await post(api!.url, items);
      if (res.status === 202) for (const id of res.ids) acknowledged.add(id);
      return res.status;
    };
    expect(await send(1000)).toBe(202);
    await waitFor(async () => (await es.count({ index: readAlias })).count > 0, { timeoutMs: 60_000, intervalMs: 50, what: 'the first batch to be indexed' });

    await redis.shutdown();
    const during = await waitFor(async () => {
      const h = await health(api!.url);
      return h.status === 503 && h;
    }, { timeoutMs: 30_000, intervalMs: 200, what: '/healthz to report Redis down' });
    expect(during.body.checks.find((c) => c.name.startsWith('redis'))).toMatchObject({ ok: false });
    expect(during.body.checks.find((c) => c.name === 'elasticsearch')).toMatchObject({ ok: true });
    // Items sent while Redis is down are refused (or, if they were stored, acknowledged).
    expect([202, 503]).toContain(await send(100));
    expect((await es.count({ index: readAlias })).count).toBeLessThan(1000);

    await redis.start();
    await waitFor(async () => (await health(api!.url)).status === 200, { timeoutMs: 60_000, intervalMs: 200, what: '/healthz to recover' });
    expect(await send(300)).toBe(202);
    await waitFor(async () => {
      const q = await get('/api/queue');
      return (drained(q) || deadCount(q) > 0) && q;
    }, { timeoutMs: 150_000, intervalMs: 250, what: 'the queue to drain' });
    const queue = await get('/api/queue');
    expect(deadCount(queue), JSON.stringify(queue.deadLetters)).toBe(0);
    // Workers do not wait for a refresh (elasticsearch.refresh false): make their last writes searchable.
    await refreshIndices(names.indexPrefix);
    // Every acknowledged item is there once; an item of a request cut short may have landed too.
    const total = (await es.count({ index: readAlias })).count;
    expect(total).toBeGreaterThanOrEqual(acknowledged.size);
    expect(total).toBeLessThanOrEqual(sent.size);
    await expectIndexedOnce(expect, es, readAlias, new Set([...acknowledged, ...await landed(es, readAlias, sent, acknowledged)]));
    expect(worker!.child.exitCode).toBeNull();
  }, 180_000);
});

/** Items not acknowledged that were stored anyway (a request Redis took just before it went down). */
async function landed(es: Client, readAlias: string, sent: Set<string>, acknowledged: Set<string>): Promise<string[]> {
  const maybe = [...sent].filter((id) => !acknowledged.has(id));
  if (maybe.length === 0) return [];
  const res = await es.search({ index: readAlias, size: maybe.length, _source: ['id'], query: { ids: { values: maybe } } });
  return res.hits.hits.map((h) => h._id!);
}
