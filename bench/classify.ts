/**
 * bench:classify — `allears classify` on a JSON Lines file, with the command's own code (read the
 * records, validate each line as a RawItem, run every pipeline stage: normalise, language,
 * redaction, duplicates within the batch, sentiment, complaint, topics, touchpoints, escalation, and
 * build the JSONL output), on short real texts: airline tweets and Chinese reviews and posts from
 * ../shared/data, repeated up to --items. Single thread. The output is hashed rather than written.
 *
 *   node --import tsx bench/classify.ts [--items 100000] [--batch 1000] [--runs 3] [--no-models]
 *
 * By default the shipped models in models/ are used (as the shipped config does); --no-models
 * measures the lexicon and rules alone. Prints items/s (median of the runs; wall clock and per
 * second of process CPU time, which is what "per core" means on a busy machine), peak RSS and a
 * digest of the output (same input, config and models → same digest), and writes
 * bench/results/classify.json. Skips with a notice when ../shared is absent.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassifyBatches } from '../cli/commands/classify.ts';
import { readRecords } from '../cli/files/index.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
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

/** One pass over the file as the command makes it, batch by batch. */
async function once(classify: ClassifyBatches, file: string): Promise<{ items: number; seconds: number; cpuSeconds: number; outBytes: number; digest: string }> {
  const hash = createHash('sha1');
  let outBytes = 0;
  let items = 0;
  const flush = async () => {
    items += classify.size;
    const chunk = await classify.flush();
    outBytes += chunk.length;
    hash.update(chunk);
  };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for await (const entry of readRecords(file, { format: 'jsonl' })) {
    classify.add(entry);
    if (classify.size >= BATCH) await flush();
  }
  if (classify.size) await flush();
  const c = process.cpuUsage(c0);
  return { items, seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6, outBytes, digest: hash.digest('hex').slice(0, 16) };
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
  // Lines carry no date of their own: as in the command, every line is published at the start of the run.
  const classify = new ClassifyBatches(config, { channel: 'social', publishedAt: new Date().toISOString() });
  const dir = mkdtempSync(join(tmpdir(), 'allears-bench-classify-'));
  const file = join(dir, 'lines.jsonl');
  const warmFile = join(dir, 'warm.jsonl');
  writeFileSync(file, lines.map((text) => JSON.stringify({ text })).join('\n') + '\n');
  writeFileSync(warmFile, lines.slice(0, Math.min(lines.length, 5000)).map((text) => JSON.stringify({ text })).join('\n') + '\n');
  process.stderr.write(`classify: ${lines.length} lines (avg ${avgChars} chars, ${(zhShare * 100).toFixed(0)}% Chinese), batch ${BATCH}, ${MODELS ? 'shipped models' : 'lexicon and rules'}\n`);
  // Warm-up: dictionaries, automata and JIT, as a long classify run would have them.
  await once(classify, warmFile);
  const runs: number[] = [];
  const cpuRuns: number[] = [];
  let digest = '';
  let outBytes = 0;
  for (let r = 0; r < RUNS; r++) {
    const res = await once(classify, file);
    if (res.items !== lines.length) throw new Error(`read ${res.items} records of ${lines.length}`);
    runs.push(lines.length / res.seconds);
    cpuRuns.push(lines.length / res.cpuSeconds);
    digest = res.digest;
    outBytes = res.outBytes;
    process.stderr.write(`  run ${r + 1}: ${Math.round(lines.length / res.seconds).toLocaleString('en-US')} items/s wall (${res.seconds.toFixed(1)} s), ${Math.round(lines.length / res.cpuSeconds).toLocaleString('en-US')} per CPU second\n`);
  }
  rmSync(dir, { recursive: true, force: true });
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
  console.log(`output            ${(outBytes / 1e6).toFixed(1)} MB of JSONL, digest ${digest}`);
  writeResults(MODELS ? 'classify' : 'classify-no-models', { items: lines.length, batch: BATCH, avgChars, zhShare, models: MODELS, runs, itemsPerSecond, cpuRuns, itemsPerCpuSecond, bar, peakRssMb: rss, outBytes, digest });
}

await main();
