/**
 * bench:pipeline — end-to-end embedded throughput (HTTP ingest → every stage → indexed) and
 * search latency on a large index, with peak RSS.
 *
 *   npm run bench:pipeline -- [--items 100000] [--search-items 1000000] [--queries 60] [--threads 1]
 */
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../api/app.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../config/logger.ts';
import { openRuntime, startWorker, VERSION } from '../cli/runtime.ts';
import { startWorkerThreads } from '../cli/threads.ts';
import { demoItems } from '../crawlers/demo/generator.ts';
import { feedbackId, type Feedback } from '../model/index.ts';
import { arg, peakRssMb, quantile, report } from './report.ts';

const ITEMS = arg('items', 100_000);
const SEARCH_ITEMS = arg('search-items', 1_000_000);
const QUERIES = arg('queries', 60);
const REQUEST_SIZE = 5_000;

const dir = mkdtempSync(join(tmpdir(), 'allears-bench-'));
const config = loadConfig({ env: {}, overrides: { deployment: { dataDir: dir, port: 0, logLevel: 'silent' }, sources: [] } });
const rt = await openRuntime(config, createLogger('silent'));
// As `allears start` runs it: the pipeline in worker threads beside the API thread.
const THREADS = arg('threads', config.worker.threads);
const worker = THREADS > 0 ? await startWorkerThreads(config, THREADS, rt.metrics, rt.log) : startWorker(rt);
const server = createApp({ ...rt, version: VERSION }).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const drained = async () => {
  for (;;) {
    const s = await rt.queue.stats();
    if (s.every((q) => q.waiting + q.active + q.delayed === 0)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
};

// 1. End to end: items posted over HTTP as clients would, timed until the last one is indexed.
const items = demoItems(ITEMS, 7);
const avgChars = Math.round(items.reduce((s, i) => s + (i.text ?? '').length, 0) / items.length);
const zhShare = items.filter((i) => /[\u4e00-\u9fff]/.test(i.text ?? '')).length / items.length;
process.stderr.write(`end to end: ${ITEMS} items (avg ${avgChars} chars, ${(zhShare * 100).toFixed(0)}% Chinese)\n`);
const t0 = performance.now();
for (let i = 0; i < items.length; i += REQUEST_SIZE) {
  const res = await fetch(`${base}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(items.slice(i, i + REQUEST_SIZE)) });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
}
const tAccepted = performance.now();
await drained();
const e2eSeconds = (performance.now() - t0) / 1000;
const indexed = await rt.index.count({ filters: { includeDuplicates: true } });
if (indexed !== ITEMS) throw new Error(`expected ${ITEMS} indexed, found ${indexed}`);
process.stderr.write(`  ${(ITEMS / e2eSeconds).toFixed(0)} items/s\n`);

// 2. Grow the index to SEARCH_ITEMS by re-upserting the analysed documents under new ids and
//    dates (search cost depends on the index, not on how documents got there).
const seedDocs: Feedback[] = [];
for (const raw of items.slice(0, 20_000)) {
  const doc = await rt.index.get(feedbackId(raw.source.id, raw.externalId));
  if (doc) seedDocs.push(doc);
}
const span = 365 * 86_400_000;
const end = Date.UTC(2026, 0, 1);
const t1 = performance.now();
for (let n = ITEMS; n < SEARCH_ITEMS; ) {
  const chunk: Feedback[] = [];
  for (let k = 0; k < 5_000 && n < SEARCH_ITEMS; k++, n++) {
    const d = seedDocs[n % seedDocs.length]!;
    const externalId = `grow-${n}`;
    chunk.push({ ...d, externalId, id: feedbackId(d.source.id, externalId), publishedAt: new Date(end - ((n * 7919) % span)).toISOString() });
  }
  await rt.index.upsert(chunk);
  if (n % 100_000 === 0) process.stderr.write(`  index grown to ${n}\n`);
}
const bulkPerSec = (SEARCH_ITEMS - ITEMS) / ((performance.now() - t1) / 1000);
const total = await rt.index.count({ filters: { includeDuplicates: true } });

// 3. Search as a dashboard does: full text + 2 filters + 3 facets, and the daily histogram beside it.
const terms = ['refund', 'delivery', 'late', 'support', 'charged', 'app', '退款', '客服', '快递', '质量', 'broken', '态度'];
const latencies: number[] = [];
const searchOnly: number[] = [];
let matched = 0;
for (let i = 0; i < QUERIES + 5; i++) {
  const q = encodeURIComponent(terms[i % terms.length]!);
  const filters = `channel=social,forum,review,complaint&from=2025-03-01`;
  // A write before each query empties the index's result caches: every figure is a cold query,
  // as on a dashboard while feedback keeps arriving.
  await rt.index.patch(seedDocs[i % seedDocs.length]!.id, { labels: { correctedBy: `bench-${i}` } });
  const s0 = performance.now();
  const [search, trend] = await Promise.all([
    fetch(`${base}/api/feedback?q=${q}&${filters}&facets=sentiment,topic,source&limit=20`).then((r) => r.json() as Promise<{ total: number }>),
    fetch(`${base}/api/analytics/trends?q=${q}&${filters}&interval=day`).then((r) => r.json() as Promise<{ buckets?: unknown[] }>),
  ]);
  const ms = performance.now() - s0;
  if (!Array.isArray(trend.buckets)) throw new Error(`trends failed: ${JSON.stringify(trend)}`);
  if (i >= 5) { // the first few warm the caches
    latencies.push(ms);
    matched += search.total;
    await rt.index.patch(seedDocs[(i + 1) % seedDocs.length]!.id, { labels: { correctedBy: `bench-${i}b` } });
    const s1 = performance.now();
    await fetch(`${base}/api/feedback?q=${q}&${filters}&facets=sentiment,topic,source&limit=20`).then((r) => r.json());
    searchOnly.push(performance.now() - s1);
  }
}
latencies.sort((a, b) => a - b);
searchOnly.sort((a, b) => a - b);

await worker.close();
server.close();
await rt.close();
rmSync(dir, { recursive: true, force: true });

report('pipeline', [
  ['items end to end', ITEMS],
  ['pipeline worker threads', THREADS],
  ['avg text length (chars)', avgChars],
  ['Chinese share', `${(zhShare * 100).toFixed(0)}%`],
  ['accepted by API (items/s)', Math.round(ITEMS / ((tAccepted - t0) / 1000))],
  ['end to end (items/s)', Math.round(ITEMS / e2eSeconds), 'bar >= 3000'],
  ['bulk upsert, analysed docs (items/s)', Math.round(bulkPerSec)],
  ['indexed for search', total],
  ['mean matches per query', Math.round(matched / QUERIES)],
  ['search+facets+histogram p50 (ms)', quantile(latencies, 0.5).toFixed(1)],
  ['search+facets+histogram p95 (ms)', quantile(latencies, 0.95).toFixed(1), 'bar <= 100'],
  ['search+facets only p50 (ms)', quantile(searchOnly, 0.5).toFixed(1)],
  ['search+facets only p95 (ms)', quantile(searchOnly, 0.95).toFixed(1)],
  ['peak RSS (MB)', peakRssMb()],
], { node: process.version });
