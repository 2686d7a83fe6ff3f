/**
 * Throughput of each pipeline stage on synthetic mixed feedback (60% English, 40% Chinese,
 * 50–300 characters, some HTML, personal data, survey answers, big authors and reposts).
 *   node --import tsx bench/stages.ts [--items 20000] [--batch 500]
 *   [--rounds 5]
 * Prints items/s per stage and for all stages together, and writes bench/results/stages.json.
 */
import os from 'node:os';
import { loadConfig } from '../config/load.ts';
import { RawItem, type RawItemInput } from '../model/index.ts';
import { toDraft } from '../pipeline/draft.ts';
import type { StageContext } from '../pipeline/stage.ts';
import { defaultStages } from '../pipeline/stages/index.ts';
import type { Fingerprint, FingerprintIndex } from '../store/ports.ts';
import { arg, report } from './report.ts';

const ITEMS = arg('items', 20_000);
const BATCH = arg('batch', 500);

/** Deterministic PRNG so every run measures the same items. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/**
 * Texts are built from clause templates with slots (products, names, numbers, places), so that
 * unrelated items share phrasing the way real complaints do without being near-duplicates.
 */
const PRODUCTS = ['laptop', 'phone', 'blender', 'sofa', 'jacket', 'router', 'printer', 'headphones', 'vacuum', 'kettle', 'tent', 'camera', 'monitor', 'desk lamp'];
const NAMES = ['Anna', 'Raj', 'Mei', 'Tom', 'Lucia', 'Omar', 'Kate', 'Ivan', 'Zoe', 'Sam', 'Priya', 'Leo'];
const CITIES = ['Leeds', 'Austin', 'Toronto', 'Dublin', 'Perth', 'Denver', 'Boston', 'Cardiff', 'Seattle', 'Auckland'];
const EN_CLAUSES: Array<() => string> = [
  () => `I ordered a ${pick(PRODUCTS)} ${n(2, 30)} days ago and the package still has not arrived.`,
  () => `The courier marked order #${n(100000, 999999)} delivered but nothing was at my door in ${pick(CITIES)}.`,
  () => `Customer service kept me on hold for ${n(20, 90)} minutes and then hung up.`,
  () => `${pick(NAMES)} from support was rude and refused to help with my refund.`,
  () => `I was charged twice for the ${pick(['monthly', 'annual', 'premium', 'family'])} subscription, $${n(9, 99)}.99 each time.`,
  () => `Great experience with my new ${pick(PRODUCTS)}, fast shipping and ${pick(NAMES)} was very helpful!`,
  () => `The app crashes every time I open the checkout page on my ${pick(['iPhone', 'Android', 'tablet', 'laptop'])}.`,
  () => `Still waiting for my refund after ${n(10, 60)} days, this is unacceptable.`,
  () => `The ${pick(PRODUCTS)} stopped working after ${n(2, 9)} days, poor quality.`,
  () => `Not bad at all, the replacement ${pick(PRODUCTS)} arrived quickly.`,
  () => `I will file a complaint with the ${pick(['CFPB', 'BBB', 'attorney general'])} if this is not fixed by ${pick(['Monday', 'Friday', 'next week'])}.`,
  () => `Thanks ${pick(NAMES)}, the issue with my ${pick(PRODUCTS)} is resolved.`,
  () => `My claim ${n(1000, 9999)} was denied without any explanation from the adjuster.`,
  () => `Hidden fees everywhere, I paid $${n(10, 80)} more than the listed price.`,
  () => `Love the new update, login on the ${pick(['website', 'app'])} is so much easier now.`,
  () => `Never buying from this store again, please cancel my account.`,
  () => `The driver left the parcel in the rain in ${pick(CITIES)} and the ${pick(PRODUCTS)} was damaged.`,
  () => `Contact me at ${pick(NAMES).toLowerCase()}${n(1, 99)}@example.com or 415-555-${n(1000, 9999)} please.`,
  () => `We moved to ${pick(CITIES)} in ${pick(['May', 'June', 'July'])} and the ${pick(PRODUCTS)} came with a scratch.`,
];
const ZH_PRODUCTS = ['手机', '耳机', '电饭煲', '沙发', '外套', '路由器', '打印机', '吸尘器', '水壶', '帐篷', '显示器', '台灯'];
const ZH_CITIES = ['北京', '上海', '广州', '深圳', '成都', '杭州', '武汉', '西安', '南京', '重庆'];
const ZH_CLAUSES: Array<() => string> = [
  () => `买的${pick(ZH_PRODUCTS)}${n(3, 15)}天了迟迟不发货，客服态度很差，打电话也没人管。`,
  () => `${pick(ZH_PRODUCTS)}收到了，质量很好，物流很快，${pick(ZH_CITIES)}两天就到，非常满意！`,
  () => `退款申请了${n(2, 5)}周还没到账，太慢了。`,
  () => `客服一直推诿敷衍，订单${n(100000, 999999)}的问题没人解决，我要去12315投诉。`,
  () => `自动续费多扣了我${n(20, 300)}元，乱收费。`,
  () => `app 一更新就闪退，登录不了，验证码也收不到，已经${n(2, 9)}天了。`,
  () => `包裹在${pick(ZH_CITIES)}转运时破损，里面的${pick(ZH_PRODUCTS)}坏了，要求赔偿。`,
  () => `客服小${pick(['王', '李', '张', '刘', '陈'])}态度很好，耐心解答了我的问题，点赞。`,
  () => `理赔被拒赔，保险公司不给说法，准备找律师起诉。`,
  () => `再也不买了，垃圾商家，${pick(ZH_PRODUCTS)}是假货！`,
  () => `物流信息${n(3, 9)}天没更新，仓库说已经发货了。`,
  () => `非常不满意，这个${pick(ZH_PRODUCTS)}质量太差了。`,
  () => `我的手机号是 1${pick(['38', '39', '58', '86'])}${n(10000000, 99999999)}，请尽快联系我处理退款。`,
  () => `还不错，价格实惠，${pick(ZH_PRODUCTS)}下次还会再来买。`,
  () => `找媒体曝光你们，${pick(ZH_CITIES)}的黑心企业。`,
  () => `周${pick(['一', '二', '三', '五'])}下的单，到现在${pick(ZH_PRODUCTS)}还在${pick(ZH_CITIES)}仓库。`,
];
const n = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const HTML = (s: string) => `<div><p>${s}</p><script>track()</script><br/>&nbsp;&amp; more</div>`;

function makeText(zh: boolean): string {
  const pool = zh ? ZH_CLAUSES : EN_CLAUSES;
  const target = 50 + rand() * 250;
  let s = pick(pool)();
  while (s.length < target) s += (zh ? '' : ' ') + pick(pool)();
  return s.slice(0, Math.max(50, Math.floor(target)));
}

/** Share of items that repost an earlier one with a word or two changed or appended. */
const REPOST_SHARE = 0.05;
let REPOSTS = 0;

function repost(text: string, zh: boolean): string {
  REPOSTS++;
  return zh ? `转发：${text}` : `RT ${text} so true`;
}

function makeItems(count: number): RawItemInput[] {
  const out: RawItemInput[] = [];
  for (let i = 0; i < count; i++) {
    const zh = rand() < 0.4;
    let text = makeText(zh);
    if (i > 10 && rand() < REPOST_SHARE) {
      const earlier = out[i - 1 - Math.floor(rand() * 10)]!.text ?? '';
      text = repost(earlier, /[\u4e00-\u9fff]/.test(earlier));
    }
    if (rand() < 0.05) text = HTML(text);
    const item: RawItemInput = {
      source: { id: pick(['weibo', 'twitter', 'reviews', 'inbox']), kind: 'bench' },
      channel: pick(['social', 'review', 'complaint', 'forum'] as const),
      externalId: `bench-${i}`,
      text,
      publishedAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
      author: { id: `u${Math.floor(rand() * 5000)}`, followers: Math.floor(rand() ** 4 * 100_000) },
      engagement: { likes: Math.floor(rand() ** 3 * 500), shares: Math.floor(rand() ** 3 * 100), replies: Math.floor(rand() * 20) },
    };
    if (rand() < 0.1) {
      item.channel = 'survey';
      item.initiator = 'company';
      item.survey = { survey: 'nps-delivery', touchpoint: 'delivery', metric: 'nps', score: Math.floor(rand() * 11) };
    }
    out.push(item);
  }
  return out;
}

/**
 * In-memory fingerprint index: the stage only reads it; the bench adds each batch after the run.
 * Time spent in `match` is the index's (SQLite in production), so it is reported apart.
 */
class MemoryFingerprints implements FingerprintIndex {
  private byKey = new Map<string, string>();
  matchMs = 0;
  async match(probes: readonly Fingerprint[]): Promise<Map<string, string>> {
    const t0 = performance.now();
    const out = new Map<string, string>();
    for (const p of probes) {
      for (const k of [p.exact, ...p.bands]) {
        const id = this.byKey.get(k);
        if (id !== undefined && id !== p.id) {
          out.set(p.id, id);
          break;
        }
      }
    }
    this.matchMs += performance.now() - t0;
    return out;
  }
  async add(prints: readonly Fingerprint[]): Promise<void> {
    for (const p of prints) for (const k of [p.exact, ...p.bands]) if (!this.byKey.has(k)) this.byKey.set(k, p.id);
  }
}

interface Tally {
  duplicates: number;
  levels: Record<string, number>;
}

/**
 * Per stage and batch, the fastest of ROUNDS runs: on a shared machine other processes stretch
 * single runs at random, and the minimum is the closest to what the stages cost on their own.
 * The median round is reported too.
 */
const ROUNDS = arg('rounds', 5);

const INDEX = 'fingerprint index lookups';

function record(times: Map<string, number[]>, name: string, b: number, ms: number): void {
  const perBatch = times.get(name) ?? [];
  perBatch[b] = Math.min(perBatch[b] ?? Infinity, ms);
  times.set(name, perBatch);
}

/** Runs all stages batch by batch; keeps only counts, as the runner keeps nothing after the upsert. */
async function round(items: RawItem[], receivedAt: string, times: Map<string, number[]>): Promise<Tally> {
  const config = loadConfig({ env: {} });
  const stages = defaultStages(config);
  const fingerprints = new MemoryFingerprints();
  const ctx: StageContext = { config, fingerprints, now: new Date() };
  const tally: Tally = { duplicates: 0, levels: {} };
  for (let i = 0, b = 0; i < items.length; i += BATCH, b++) {
    let batch = items.slice(i, i + BATCH).map((r) => toDraft(r, receivedAt));
    for (const stage of stages) {
      const t0 = performance.now();
      const m0 = fingerprints.matchMs;
      batch = await stage.run(batch, ctx);
      const lookups = fingerprints.matchMs - m0;
      record(times, stage.name, b, performance.now() - t0 - lookups);
      if (lookups > 0) record(times, INDEX, b, lookups);
    }
    await fingerprints.add(batch.map((d) => ({ id: d.id, exact: d.fingerprint!.exact, bands: d.fingerprint!.bands, publishedAt: d.publishedAt })));
    for (const d of batch) {
      if (d.analysis.duplicateOf) tally.duplicates++;
      const level = d.analysis.escalation!.level;
      tally.levels[level] = (tally.levels[level] ?? 0) + 1;
    }
  }
  return tally;
}

const raw = makeItems(ITEMS).map((x) => RawItem.parse(x));
const receivedAt = new Date().toISOString();
console.log(`${raw.length} items, ${raw.filter((r) => /[\u4e00-\u9fff]/.test(r.text)).length} Chinese, batches of ${BATCH}, load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);
await round(raw.slice(0, 2000), receivedAt, new Map()); // warm up: JIT, compiled config
const best = new Map<string, number[]>();
const roundTotals: number[] = [];
let tally: Tally | undefined;
for (let r = 0; r < ROUNDS; r++) {
  const times = new Map<string, number[]>();
  tally = await round(raw, receivedAt, times);
  roundTotals.push([...times].filter(([name]) => name !== INDEX).flatMap(([, perBatch]) => perBatch).reduce((a, b) => a + b, 0));
  for (const [name, perBatch] of times) {
    const acc = best.get(name) ?? [];
    perBatch.forEach((ms, b) => (acc[b] = Math.min(acc[b] ?? Infinity, ms)));
    best.set(name, acc);
  }
}
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const perSec = (ms: number) => Math.round((raw.length / ms) * 1000);
const bestTotal = sum([...best].filter(([name]) => name !== INDEX).map(([, perBatch]) => sum(perBatch)));
const bestIndex = sum(best.get(INDEX) ?? []);
const medianRound = [...roundTotals].sort((a, b) => a - b)[Math.floor(roundTotals.length / 2)]!;
report(
  'stages',
  [
    ...[...best].map(([name, perBatch]) => [`${name} items/s`, perSec(sum(perBatch))] as const),
    ['all stages items/s', perSec(bestTotal), 'target ≥ 15,000; fastest run of each batch, without index lookups'],
    ['all stages + in-memory index lookups items/s', perSec(bestTotal + bestIndex)],
    ['all stages items/s, median round', perSec(medianRound)],
    ['duplicates marked', `${tally!.duplicates} (${REPOSTS} reposts generated; the templated texts also share whole clauses)`],
    ['escalation levels', JSON.stringify(tally!.levels)],
  ],
  { items: raw.length, batch: BATCH, rounds: ROUNDS, loadavg: os.loadavg() },
);
