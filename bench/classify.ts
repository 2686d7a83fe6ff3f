/**
 * bench:classify — what `allears classify` does per line (validate the line as a RawItem, run every
 * pipeline stage: normalise, language, redaction, duplicates within the batch, sentiment, complaint,
 * topics, touchpoints, escalation, then write the JSON summary), on short real texts: airline tweets
 * and Chinese reviews and posts from ../shared/data, repeated up to --items. Single thread.
 *
 *   node --import tsx bench/classify.ts [--items 100000] [--batch 1000] [--runs 3] [--no-models]
 *
 * By default the shipped models in models/ are used (as the shipped config does); --no-models
 * measures the lexicon and rules alone. Prints items/s (median of the runs) and peak RSS, and
 * writes bench/results/classify.json. Skips with a notice when ../shared is absent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { RawItem, type Feedback } from '../model/index.ts';
import { PipelineRunner } from '../pipeline/runner.ts';
import { defaultStages } from '../pipeline/stages/index.ts';
import { DATA_DIR, ROOT, SETS, loadSet } from '../scripts/data-sets.ts';
import { DEFAULT_MODEL_FILES } from '../scripts/model-specs.ts';
import { arg, median, peakRssMb, writeResults } from './report.ts';

const ITEMS = arg('items', 100_000);
const BATCH = arg('batch', 1000);
const RUNS = arg('runs', 3);
const MODELS = !process.argv.includes('--no-models');
/** Short lines: a post or a short review, not a narrative. */
const MAX_CHARS = 280;

async function texts(): Promise<{ lines: string[]; zhShare: number; avgChars: number }> {
  const en = (await loadSet(SETS.find((s) => s.name === 'airline-sentiment')!)).map((e) => e.text);
  const zh: string[] = [];
  for (const name of ['waimai-sentiment', 'weibo-sentiment', 'hotel-sentiment']) for (const e of await loadSet(SETS.find((s) => s.name === name)!)) zh.push(e.text);
  const short = (xs: string[]) => xs.filter((t) => t.length <= MAX_CHARS);
  const a = short(en);
  const b = short(zh);
  // Interleaved, 3 English to 2 Chinese, and repeated up to ITEMS.
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (lines.length < ITEMS) {
    const k = lines.length % 5;
    lines.push(k < 3 ? a[i++ % a.length]! : b[j++ % b.length]!);
  }
  const zhCount = lines.filter((_, n) => n % 5 >= 3).length;
  return { lines, zhShare: zhCount / lines.length, avgChars: Math.round(lines.reduce((s, t) => s + t.length, 0) / lines.length) };
}

function configFor(): Config {
  const base = loadConfig({ env: {}, overrides: { deployment: { logLevel: 'silent' }, sources: [] } });
  if (!MODELS) return { ...base, models: { ...base.models, sentiment: {}, complaint: {} } };
  const rel = (f: string) => join(ROOT, f);
  return {
    ...base,
    models: {
      ...base.models,
      sentiment: { en: rel(DEFAULT_MODEL_FILES.sentimentEn), zh: rel(DEFAULT_MODEL_FILES.sentimentZh) },
      complaint: { en: rel(DEFAULT_MODEL_FILES.complaintEn) },
    },
  };
}

/** As `allears classify` summarises a line. */
function summary(line: number, f: Feedback): string {
  const a = f.analysis;
  return JSON.stringify({ line, lang: f.lang, sentiment: a.sentiment, complaint: a.complaint, topics: a.topics, touchpoint: a.touchpoint, escalation: a.escalation, pii: a.pii, duplicateOfLine: null, models: a.models });
}

async function once(runner: PipelineRunner, lines: readonly string[], publishedAt: string): Promise<{ seconds: number; cpuSeconds: number; outBytes: number; check: Record<string, number> }> {
  const check: Record<string, number> = {};
  let outBytes = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let start = 0; start < lines.length; start += BATCH) {
    const items: RawItem[] = [];
    for (let n = start; n < Math.min(lines.length, start + BATCH); n++) {
      items.push(RawItem.parse({ source: { id: 'classify', kind: 'file' }, channel: 'social', externalId: `line-${n + 1}`, text: lines[n]!, publishedAt }));
    }
    const out = await runner.process(items, publishedAt);
    let chunk = '';
    for (let k = 0; k < out.length; k++) {
      const f = out[k]!;
      chunk += summary(start + k + 1, f) + '\n';
      const key = `${f.lang}:${f.analysis.sentiment?.label ?? '-'}`;
      check[key] = (check[key] ?? 0) + 1;
    }
    outBytes += chunk.length;
  }
  const c = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6, outBytes, check };
}

async function main(): Promise<void> {
  if (!existsSync(DATA_DIR)) {
    console.log(`classify: skipped — ${DATA_DIR} is absent (the shared evaluation data lives beside the repository)`);
    return;
  }
  if (MODELS) {
    const missing = Object.values(DEFAULT_MODEL_FILES).filter((f) => !existsSync(join(ROOT, f)));
    if (missing.length) throw new Error(`missing model files ${missing.join(', ')}: run node --import tsx scripts/build-models.ts, or pass --no-models`);
  }
  const { lines, zhShare, avgChars } = await texts();
  const config = configFor();
  const runner = new PipelineRunner({ config, stages: defaultStages(config), fingerprints: { match: async () => new Map() } });
  const publishedAt = new Date().toISOString();
  process.stderr.write(`classify: ${lines.length} lines (avg ${avgChars} chars, ${(zhShare * 100).toFixed(0)}% Chinese), batch ${BATCH}, ${MODELS ? 'shipped models' : 'lexicon and rules'}\n`);
  // Warm-up: dictionaries, automata and JIT, as a long classify run would have them.
  await once(runner, lines.slice(0, Math.min(lines.length, 5000)), publishedAt);
  const runs: number[] = [];
  const cpuRuns: number[] = [];
  let check: Record<string, number> = {};
  for (let r = 0; r < RUNS; r++) {
    const res = await once(runner, lines, publishedAt);
    runs.push(lines.length / res.seconds);
    cpuRuns.push(lines.length / res.cpuSeconds);
    check = res.check;
    process.stderr.write(`  run ${r + 1}: ${Math.round(lines.length / res.seconds).toLocaleString('en-US')} items/s wall (${res.seconds.toFixed(1)} s), ${Math.round(lines.length / res.cpuSeconds).toLocaleString('en-US')} per CPU second\n`);
  }
  const itemsPerSecond = median(runs);
  const itemsPerCpuSecond = median(cpuRuns);
  const rss = peakRssMb();
  const bar = 20_000;
  console.log(`\nclassify (${MODELS ? 'shipped models' : 'lexicon and rules'}, single thread)`);
  console.log(`items             ${lines.length.toLocaleString('en-US')}`);
  console.log(`items/s per core  ${Math.round(itemsPerSecond).toLocaleString('en-US')}   (median of ${RUNS}; bar ${bar.toLocaleString('en-US')} ${itemsPerSecond >= bar ? 'ok' : 'MISS'})`);
  console.log(`items per CPU s   ${Math.round(itemsPerCpuSecond).toLocaleString('en-US')}   (process CPU time, garbage collection included: steadier on a busy machine)`);
  console.log(`µs per item       ${(1e6 / itemsPerSecond).toFixed(1)}`);
  console.log(`peak RSS          ${rss} MB`);
  writeResults(MODELS ? 'classify' : 'classify-no-models', { items: lines.length, batch: BATCH, avgChars, zhShare, models: MODELS, runs, itemsPerSecond, cpuRuns, itemsPerCpuSecond, bar, peakRssMb: rss, labels: check });
}

await main();
