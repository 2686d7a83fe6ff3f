/**
 * Search micro-benchmark for the embedded index: bulk-index N synthetic items (40% Chinese), then
 * time dashboard-shaped queries (full-text + 2 filters + 3 facets, plus a daily histogram of the same
 * selection). Run: node --import tsx bench/search.ts [N=100000] [--keep] [--reuse <bench.db>]
 * --keep leaves the database in place; --reuse runs only the queries against a kept one.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { feedbackId, type Channel, type Feedback, type SearchQuery } from '../model/index.ts';
import { openDb } from '../store/sqlite/db.ts';
import { SqliteFeedbackIndex } from '../store/sqlite/feedback-index.ts';

const N = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
const KEEP = process.argv.includes('--keep');
const REUSE = process.argv.includes('--reuse') ? process.argv[process.argv.indexOf('--reuse') + 1] : undefined;
if (process.argv.includes('--reuse') && !REUSE) throw new Error('--reuse needs a database file');
const BATCH = 2_000;

// Deterministic pseudo-random numbers, so runs are comparable.
let seed = 42;
function rnd(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const ZH = [
  '快递三天还没到', '客服态度很差', '理赔速度太慢了', '退款一直没有到账', '我要投诉到消费者协会', '产品质量有问题',
  '屏幕用了一周就坏了', '电话打了好几次都没人接', '价格比别家贵很多', '物流信息一直不更新', '售后服务还不错',
  '包装很好，发货也快', '商家拒绝退货', '信用卡被多扣了一笔钱', '银行卡绑定失败', '保险公司推卸责任',
  '网点排队两个小时', '手机应用经常闪退', '账户被冻结了也不说明原因', '希望尽快处理', '非常满意这次的服务',
  '快递员态度恶劣', '订单被无故取消', '优惠券不能使用', '会员积分清零了', '这次理赔很顺利', '客服回复很及时',
];
const EN = [
  'The parcel was delivered to the wrong address', 'Customer service never answered my emails',
  'Still waiting for my refund after three weeks', 'The app keeps crashing when I log in',
  'Great service, the courier was friendly', 'I was charged twice on my credit card',
  'The claim process is far too slow', 'Delivery was late again this month', 'Nobody picks up the phone at the hotline',
  'The product broke after one week', 'Prices went up without any notice', 'My account was blocked for no reason',
  'Very happy with the quick response', 'The store staff were rude and unhelpful', 'Refunds take forever to process',
  'The website checkout fails every time', 'Excellent support, problem solved in minutes', 'I will file a complaint with the regulator',
];
const CHANNELS: Channel[] = ['forum', 'social', 'review', 'news', 'complaint', 'regulator', 'email', 'webform', 'call', 'chat'];
const TOPICS = ['delivery', 'refund', 'service', 'app', 'billing', 'quality', 'price', 'account', 'claims', 'store', 'staff', 'website', 'loyalty', 'fraud', 'wait-time'];
const PRODUCTS = Array.from({ length: 30 }, (_, i) => `product-${i}`);
const REGIONS = ['north', 'south', 'east', 'west', 'central', 'coast', 'hills', 'capital'];
const SENT = ['negative', 'neutral', 'positive'] as const;
const LEVELS = ['low', 'medium', 'high', 'critical'] as const;
const YEAR_START = Date.UTC(2024, 6, 1);
const YEAR_MS = 365 * 86_400_000;

function sentence(zh: boolean): string {
  const parts: string[] = [];
  const target = 20 + Math.floor(rnd() * (zh ? 80 : 180));
  let len = 0;
  while (len < target) {
    const s = pick(zh ? ZH : EN);
    parts.push(s);
    len += s.length + 1;
  }
  return parts.join(zh ? '，' : '. ');
}

function makeItem(i: number): Feedback {
  const zh = rnd() < 0.4;
  const text = sentence(zh);
  const channel = rnd() < 0.1 ? 'survey' : pick(CHANNELS);
  const sourceId = `${channel}-${Math.floor(rnd() * 3)}`;
  const externalId = `ext-${i}`;
  const topics = Array.from({ length: Math.floor(rnd() * 3) + 1 }, () => ({ id: pick(TOPICS), score: rnd() }));
  const published = new Date(YEAR_START + Math.floor(rnd() * YEAR_MS)).toISOString();
  return {
    source: { id: sourceId, kind: channel },
    channel,
    initiator: channel === 'survey' ? 'company' : 'customer',
    externalId,
    text,
    publishedAt: published,
    id: feedbackId(sourceId, externalId),
    lang: zh ? 'zh' : 'en',
    originalText: text,
    contentHash: String(i),
    receivedAt: published,
    processedAt: published,
    author: { handle: `user${i % 5000}` },
    dimensions: { product: pick(PRODUCTS), region: pick(REGIONS) },
    ...(channel === 'survey' ? { survey: { survey: 'nps-q1', metric: 'nps' as const, score: Math.floor(rnd() * 11) } } : {}),
    analysis: {
      sentiment: { label: pick(SENT), score: rnd() * 2 - 1, confidence: rnd() },
      complaint: { is: rnd() < 0.5, probability: rnd() },
      topics,
      touchpoint: rnd() < 0.5 ? { journey: 'purchase', touchpoint: pick(['checkout', 'shipping', 'returns']) } : null,
      escalation: { score: rnd(), level: pick(LEVELS), signals: [] },
      duplicateOf: rnd() < 0.03 ? 'someone-else' : null,
      pii: [],
      models: { sentiment: 'bench' },
    },
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Every document, duplicates included, of a kept database. */
async function countAll(file: string): Promise<number> {
  const db = openDb(file);
  try {
    return await new SqliteFeedbackIndex(db).count({ filters: { includeDuplicates: true } });
  } finally {
    db.close();
  }
}

const rssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

async function main(): Promise<void> {
  const dir = REUSE ? dirname(REUSE) : mkdtempSync(join(tmpdir(), 'allears-bench-'));
  const file = REUSE ?? join(dir, 'bench.db');
  const db = openDb(file);
  const index = new SqliteFeedbackIndex(db);

  // Indexing: generation time is excluded; only upsert calls are timed.
  let indexMs = 0;
  for (let done = 0; done < (REUSE ? 0 : N); done += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, N - done) }, (_, k) => makeItem(done + k));
    const t0 = performance.now();
    await index.upsert(batch);
    indexMs += performance.now() - t0;
    if ((done / BATCH) % 50 === 0) process.stderr.write(`\rindexed ${done + batch.length}/${N}`);
  }
  process.stderr.write('\n');
  const indexRate = REUSE ? null : Math.round(N / (indexMs / 1000));

  // Re-upserting items already there: same ids, same text.
  seed = 42;
  const reupsert = Array.from({ length: 10_000 }, (_, k) => makeItem(k));
  const t1 = performance.now();
  await index.upsert(reupsert);
  const reupsertRate = Math.round(10_000 / ((performance.now() - t1) / 1000));

  // Dashboard-shaped queries: full text + 2 filters + 3 facets, and the same selection's daily
  // histogram. A one-item write before each query empties the result caches, so every query is cold
  // (as under a steady trickle of writes); "warm" repeats the query with nothing written in between.
  const QUERIES = ['快递', '客服', 'refund', 'delivery', '理赔', 'complaint', '退款 OR refund', 'app -crash', '"customer service"', '投诉', '物流信息', 'charged twice', '态度 OR 服务', 'wrong address'];
  const shapes: Record<string, number[]> = {
    search: [], histogram: [], 'search+histogram': [], 'search (warm)': [], relevance: [], 'no q: 2 filters, 3 facets': [],
  };
  const totals: number[] = [];
  let trickle = 10_000_000;
  const write = () => index.upsert([makeItem(trickle++)]);
  // The first queries of a fresh process compile the hot loops; a server has long done that.
  for (const q of QUERIES.slice(0, 5)) {
    await index.search({ q, filters: { channel: ['social'] }, facets: ['topic', 'channel'] });
    await index.histogram({ q, interval: 'day' });
  }
  for (let i = 0; i < 50; i++) {
    const q = QUERIES[i % QUERIES.length]!;
    const from = new Date(YEAR_START + Math.floor(rnd() * 4) * 30 * 86_400_000).toISOString();
    const filters = { channel: [pick(CHANNELS), pick(CHANNELS), 'survey' as const], from };
    const search: SearchQuery = { q, filters, facets: ['topic', 'sentiment', 'dim.product'], limit: 20 };
    await write();
    const t0 = performance.now();
    const r = await index.search(search);
    const t2 = performance.now();
    await index.histogram({ q, filters, interval: 'day' });
    const t3 = performance.now();
    await index.search(search);
    const t4 = performance.now();
    shapes.search!.push(t2 - t0);
    shapes.histogram!.push(t3 - t2);
    shapes['search+histogram']!.push(t3 - t0);
    shapes['search (warm)']!.push(t4 - t3);
    totals.push(r.total);
    await write();
    const t5 = performance.now();
    await index.search({ ...search, sort: 'relevance' });
    shapes.relevance!.push(performance.now() - t5);
    await write();
    const t6 = performance.now();
    await index.search({ filters: { lang: ['zh'], complaint: true }, facets: ['topic', 'sentiment', 'channel'] });
    shapes['no q: 2 filters, 3 facets']!.push(performance.now() - t6);
  }

  const tClose = performance.now();
  await index.close(); // saves the snapshot of the in-memory columns
  const closeMs = performance.now() - tClose;
  db.close();
  const t6 = performance.now();
  const db2 = openDb(file);
  const reopened = new SqliteFeedbackIndex(db2);
  const reopenMs = performance.now() - t6;
  const total = await reopened.count();
  db2.prepare('DELETE FROM feedback_snapshot').run();
  const t7 = performance.now();
  const rebuilt = new SqliteFeedbackIndex(db2, { snapshotMinDocs: Infinity });
  const rebuildMs = performance.now() - t7;
  if ((await rebuilt.count()) !== total) throw new Error('rebuild and snapshot disagree');
  db2.close();

  const result = {
    n: REUSE ? await countAll(file) : N,
    indexItemsPerSec: indexRate,
    reupsert10kItemsPerSec: reupsertRate,
    dbMb: Math.round(statSync(file).size / 1e6),
    docValuesMb: Math.round(reopened.docValuesBytes() / 1e6),
    closeWithSnapshotMs: Math.round(closeMs),
    reopenFromSnapshotMs: Math.round(reopenMs),
    rebuildWithoutSnapshotMs: Math.round(rebuildMs),
    countAfterReopen: total, // duplicates hidden
    medianMatches: percentile(totals, 50),
    maxMatches: Math.max(...totals),
    latencyMs: Object.fromEntries(Object.entries(shapes).map(([k, xs]) => [k, { p50: +percentile(xs, 50).toFixed(1), p95: +percentile(xs, 95).toFixed(1) }])),
    peakRssMb: rssMb(),
  };
  console.table(Object.entries(result).filter(([, v]) => typeof v !== 'object').map(([k, v]) => ({ metric: k, value: v })));
  console.table(Object.entries(result.latencyMs).map(([shape, v]) => ({ shape, ...v })));
  const out = join(KEEP || REUSE ? dir : tmpdir(), `allears-bench-search-${result.n}.json`);
  writeFileSync(out, JSON.stringify(result, null, 2));
  console.log(`results: ${out}${KEEP && !REUSE ? `\ndatabase kept: ${file}` : ''}`);
  if (!KEEP && !REUSE) rmSync(dir, { recursive: true, force: true });
}

await main();
