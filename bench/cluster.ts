/**
 * bench:cluster — end-to-end throughput of the cluster mode (Redis + BullMQ, Elasticsearch) with
 * 1 and 2 worker processes, bulk indexing of analysed documents into Elasticsearch, and the same
 * end-to-end run in the embedded mode beside them, all as real `allears` processes on this machine.
 *
 *   npm run bench:cluster -- [--items 20000] [--runs 1] [--bulk 50000]
 *
 * Needs Redis (ALLEARS_BENCH_REDIS_URL, default redis://127.0.0.1:6379) and Elasticsearch
 * (ALLEARS_BENCH_ELASTICSEARCH_URL, default http://127.0.0.1:9200): `bash test/services/redis.sh`
 * and `bash test/services/elasticsearch.sh` start them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { demoItems } from '../crawlers/demo/generator.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../config/logger.ts';
import { openRuntime } from '../cli/runtime.ts';
import { feedbackId, RawItem, type Feedback } from '../model/index.ts';
import { ElasticsearchFeedbackIndex } from '../store/elasticsearch/feedback-index.ts';
import { freePort, startAllears, stop, writeConfig, type Proc } from '../test/helpers/server.ts';
import { arg, median, peakRssMb, report } from './report.ts';

const ITEMS = arg('items', 20_000);
const RUNS = arg('runs', 1);
const BULK = arg('bulk', 50_000);
const REDIS_URL = process.env.ALLEARS_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ES_URL = process.env.ALLEARS_BENCH_ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
const REQUEST_SIZE = 2_000;

await reachable();
const items = demoItems(ITEMS, 11);

interface Setup {
  name: string;
  /** Roles to start: one API (or `start`), then worker processes. */
  roles: string[];
  cluster: boolean;
}

const setups: Setup[] = [
  { name: 'embedded: allears start (SQLite, 1 pipeline thread)', roles: ['start'], cluster: false },
  { name: 'cluster: api + 1 worker (Redis + Elasticsearch)', roles: ['api', 'worker'], cluster: true },
  { name: 'cluster: api + 2 workers (Redis + Elasticsearch)', roles: ['api', 'worker', 'worker'], cluster: true },
];

const results = new Map<string, number[]>();
for (let run = 0; run < RUNS; run++) {
  for (const setup of setups) {
    const perSec = await endToEnd(setup);
    results.set(setup.name, [...(results.get(setup.name) ?? []), perSec]);
    process.stderr.write(`${setup.name}: ${Math.round(perSec)} items/s\n`);
  }
}
const bulk = await bulkIndexing(false);
const bulkWaiting = await bulkIndexing('wait_for');

report('cluster', [
  ['items end to end per run', ITEMS],
  ['runs (median shown)', RUNS],
  ...setups.map((s) => [`${s.name} (items/s)`, Math.round(median(results.get(s.name)!))] as const),
  ['Elasticsearch bulk upsert of analysed docs, workers\' policy: no refresh wait (docs/s)', Math.round(bulk)],
  ['Elasticsearch bulk upsert, waiting for each refresh (docs/s)', Math.round(bulkWaiting)],
  ['peak RSS of this driver process (MB)', peakRssMb()],
], { node: process.version, runs: Object.fromEntries(results) });

/** Items posted over HTTP, timed until the last one is searchable. */
async function endToEnd(setup: Setup): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'allears-bench-cluster-'));
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const config = writeConfig(dir, (c) => {
    c.sources = [];
    // One pipeline per worker process, in its main thread: workers scale by process here.
    c.worker = { ...(c.worker as object), threads: setup.cluster ? 0 : 1, batchSize: 500 };
    c.elasticsearch = { indexPrefix: prefix, replicas: 0 };
  });
  const env: Record<string, string> = {
    ALLEARS_CONFIG: config, ALLEARS_DATA_DIR: dir, ALLEARS_LOG_LEVEL: 'error',
    ...(setup.cluster ? {
      ALLEARS_STORE: 'elasticsearch', ALLEARS_QUEUE: 'bullmq', ALLEARS_REDIS_URL: REDIS_URL,
      ALLEARS_REDIS_PREFIX: prefix, ALLEARS_ELASTICSEARCH_URL: ES_URL,
    } : {}),
  };
  const procs: Proc[] = [];
  try {
    for (const role of setup.roles) procs.push(await startAllears(role, env, await freePort()));
    const api = procs[0]!.url;
    const t0 = performance.now();
    for (let i = 0; i < items.length; i += REQUEST_SIZE) {
      const res = await fetch(`${api}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(items.slice(i, i + REQUEST_SIZE)) });
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    }
    for (;;) {
      const body = await (await fetch(`${api}/api/feedback?includeDuplicates=true&limit=1`)).json() as { total: number };
      if (body.total >= ITEMS) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return ITEMS / ((performance.now() - t0) / 1000);
  } finally {
    for (const p of procs.reverse()) await stop(p);
    if (setup.cluster) await dropCluster(prefix);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Analysed documents re-upserted under new ids, in batches of 500 as workers write them: with the
 * workers' refresh policy (elasticsearch.refresh false) and, for comparison, waiting for each refresh.
 */
async function bulkIndexing(refresh: false | 'wait_for'): Promise<number> {
  const prefix = `bench-bulk-${randomUUID().slice(0, 8)}`;
  const index = await ElasticsearchFeedbackIndex.open({ node: ES_URL, indexPrefix: prefix, replicas: 0, refresh });
  try {
    // Analysed by the real pipeline, as workers would write them.
    const dir = mkdtempSync(join(tmpdir(), 'allears-bench-seeds-'));
    const config = loadConfig({ env: {}, overrides: { deployment: { dataDir: dir, logLevel: 'silent' }, sources: [] } });
    const rt = await openRuntime(config, createLogger('silent'));
    const seeds = await rt.runner.process(items.slice(0, 2_000).map((i) => RawItem.parse(i)), new Date().toISOString());
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
    const t0 = performance.now();
    for (let n = 0; n < BULK;) {
      const chunk: Feedback[] = [];
      for (let k = 0; k < 500 && n < BULK; k++, n++) {
        const d = seeds[n % seeds.length]!;
        const externalId = `bulk-${n}`;
        chunk.push({ ...d, externalId, id: feedbackId(d.source.id, externalId) });
      }
      await index.upsert(chunk);
    }
    return BULK / ((performance.now() - t0) / 1000);
  } finally {
    await index.drop();
    await index.close();
  }
}

async function dropCluster(prefix: string): Promise<void> {
  const index = await ElasticsearchFeedbackIndex.open({ node: ES_URL, indexPrefix: prefix, replicas: 0 });
  await index.drop();
  await index.close();
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

async function reachable(): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    throw new Error(`bench:cluster needs Redis at ${REDIS_URL} (bash test/services/redis.sh)`);
  } finally {
    redis.disconnect();
  }
  const es = await fetch(`${ES_URL}/_cluster/health`).catch(() => null);
  if (!es?.ok) throw new Error(`bench:cluster needs Elasticsearch at ${ES_URL} (bash test/services/elasticsearch.sh)`);
}
