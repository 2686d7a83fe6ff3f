/**
 * Quality of the trainable text classifier on real labelled data in ../shared/data: a fixed 80/20
 * split per set, trained on the 80, scored on the 20, beside the majority-class baseline.
 * Run: node --import tsx bench/quality.ts [--only airline] [--epochs N] [--bits B] [--zh-max-n N] [--zh-words] [--raw-tf] [--idf|--no-idf] [--lr X] [--l2 X] [--average] [--balanced]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRecords } from '../cli/files/index.ts';
import { computeMetrics, evaluate, extractExamples, splitDeterministic, trainClassifier, type FeatureOptions } from '../pipeline/nlp/classifier/index.ts';
import { report } from './report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = resolve(ROOT, '../shared/data');

interface BenchSet {
  name: string;
  file: string;
  textCol: string;
  labelCol: string;
  header?: boolean;
  /** What to aim for (accuracy). */
  bar: number;
}

const SETS: BenchSet[] = [
  { name: 'airline-sentiment', file: 'airline/tweets.csv', textCol: 'text', labelCol: 'airline_sentiment', bar: 0.82 },
  { name: 'hotel-sentiment', file: 'zh/chnsenticorp_htl.csv', textCol: 'review', labelCol: 'label', bar: 0.9 },
  { name: 'waimai-sentiment', file: 'zh/waimai_10k.csv', textCol: 'review', labelCol: 'label', bar: 0.9 },
  { name: 'ecommerce-sentiment', file: 'zh/online_shopping_10_cats.csv', textCol: 'review', labelCol: 'label', bar: 0.935 },
  { name: 'ecommerce-topic', file: 'zh/online_shopping_10_cats.csv', textCol: 'review', labelCol: 'cat', bar: 0.91 },
  { name: 'weibo-sentiment', file: 'zh/weibo_senti_subset.csv', textCol: 'review', labelCol: 'label', bar: 0 },
  { name: 'complaints', file: 'escalation/complaints_social_media.csv', textCol: '2', labelCol: '3', header: false, bar: 0.82 },
];

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function load(set: BenchSet): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const e of readRecords(join(DATA, set.file), { header: set.header ?? true })) if (e.record) out.push(e.record);
  return out;
}

function majorityAccuracy(trainLabels: string[], testLabels: string[]): { label: string; accuracy: number; macroF1: number } {
  const counts = new Map<string, number>();
  for (const l of trainLabels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const label = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
  const m = computeMetrics(testLabels, testLabels.map(() => label));
  return { label, accuracy: m.accuracy, macroF1: m.macroF1 };
}

async function main(): Promise<void> {
  if (!existsSync(DATA)) {
    console.log(`quality: skipped — ${DATA} is absent (the shared evaluation data lives beside the repository)`);
    return;
  }
  const only = flag('only');
  const featureOptions: Partial<FeatureOptions> = {};
  if (flag('bits')) featureOptions.bits = Number(flag('bits'));
  if (flag('zh-max-n')) featureOptions.zhMaxN = Number(flag('zh-max-n'));
  if (process.argv.includes('--zh-words')) featureOptions.zhWords = true;
  if (process.argv.includes('--raw-tf')) featureOptions.sublinearTf = false;
  if (process.argv.includes('--idf')) featureOptions.idf = true;
  if (process.argv.includes('--no-idf')) featureOptions.idf = false;
  const logreg = {
    ...(flag('epochs') ? { epochs: Number(flag('epochs')) } : {}),
    ...(flag('lr') ? { learningRate: Number(flag('lr')) } : {}),
    ...(flag('l2') ? { l2: Number(flag('l2')) } : {}),
    ...(process.argv.includes('--average') ? { average: true } : {}),
  };
  const balanced = process.argv.includes('--balanced');

  const rows: Array<readonly [string, string | number, string?]> = [];
  const results: Record<string, unknown>[] = [];
  console.log(`${'set'.padEnd(20)} ${'train'.padStart(6)} ${'test'.padStart(6)}  ${'acc'.padStart(6)} ${'macroF1'.padStart(7)}  ${'base acc'.padStart(8)} ${'base F1'.padStart(7)}  ${'bar'.padStart(5)}  ${'train s'.padStart(7)}  ${'docs/s'.padStart(8)}`);
  for (const set of SETS) {
    if (only && !set.name.includes(only)) continue;
    const { examples } = extractExamples(await load(set), set.textCol, set.labelCol);
    const { train, test } = splitDeterministic(examples, 42, 0.2);
    const t0 = performance.now();
    const clf = trainClassifier(train, { task: set.name, featureOptions, logreg, balanced });
    const trainS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const m = evaluate(clf, test);
    const docsPerS = test.length / ((performance.now() - t1) / 1000);
    const base = majorityAccuracy(train.map((e) => e.label), test.map((e) => e.label));
    const f = (x: number) => x.toFixed(3);
    console.log(`${set.name.padEnd(20)} ${String(train.length).padStart(6)} ${String(test.length).padStart(6)}  ${f(m.accuracy).padStart(6)} ${f(m.macroF1).padStart(7)}  ${f(base.accuracy).padStart(8)} ${f(base.macroF1).padStart(7)}  ${(set.bar ? f(set.bar) : '—').padStart(5)}  ${trainS.toFixed(2).padStart(7)}  ${Math.round(docsPerS).toLocaleString('en-US').padStart(8)}`);
    rows.push([`${set.name} accuracy`, +f(m.accuracy), set.bar ? `bar ${set.bar}; majority ${f(base.accuracy)}` : `majority ${f(base.accuracy)}`]);
    rows.push([`${set.name} macroF1`, +f(m.macroF1), `majority ${f(base.macroF1)}`]);
    results.push({ set: set.name, file: set.file, label: set.labelCol, train: train.length, test: test.length, accuracy: m.accuracy, macroF1: m.macroF1, baseline: base, bar: set.bar || null, trainSeconds: trainS, predictDocsPerSecond: docsPerS });
  }
  report('quality', rows, { featureOptions, logreg, balanced, sets: results });
}

await main();
