/**
 * bench:quality — the trainable text classifier on real labelled data in ../shared/data, beside
 * baselines: a fixed 80/20 split per set (splitDeterministic, seed 42), trained on the 80, scored on
 * the 20. Baselines, where they apply: the majority class of the 80; the `sentiment` package
 * (AFINN-165) and `vader-sentiment` on English sets (score < 0 negative, 0 neutral, > 0 positive;
 * VADER's compound ±0.05; on two-class sets the sign picks the class, 0 the majority; on complaint
 * sets "negative" stands for "complaint"); and allears's own lexicon / rules (what runs without a model).
 *
 * The features and training settings of each set are its own (SET_TRAINING below), chosen by
 * cross-validation inside the 80 — the 20 is only ever scored.
 *
 * Then X-CI severity: the escalation score's ROC AUC for severity ≥ 3 and the evidence of every
 * high/critical item (bench/quality-escalation.ts, which also runs alone as bench:escalation).
 *
 * Run: node --import tsx bench/quality.ts [--only NAME] [--no-baselines]
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ruleComplaint } from '../pipeline/nlp/complaint.ts';
import { computeMetrics, evaluate, splitDeterministic, trainClassifier, type Example, type Metrics } from '../pipeline/nlp/classifier/index.ts';
import { SET_TRAINING, type SetTraining } from '../pipeline/nlp/classifier/presets.ts';
import { DATA_DIR as DATA, SETS, augmentation, loadSet, type BenchSet } from '../scripts/data-sets.ts';
import { lexiconSentiment } from '../pipeline/nlp/sentiment.ts';
import { escalationBench } from './quality-escalation.ts';
import { writeResults } from './report.ts';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// The two baseline packages ship no types; this is all we use of them.
const require = createRequire(import.meta.url);
type Afinn = { analyze(text: string): { score: number } };
type Vader = { SentimentIntensityAnalyzer: { polarity_scores(text: string): { compound: number } } };

interface Method {
  name: string;
  applies(set: BenchSet): boolean;
  /** A predictor for the set, from its training part. */
  make(set: BenchSet, train: readonly Example[]): (text: string) => string;
}

function majorityOf(train: readonly Example[]): string {
  const counts = new Map<string, number>();
  for (const e of train) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

/** A polarity (−, 0, +) as a label of the set; see the header for the two-class rules. */
function polarityLabel(set: BenchSet, polarity: -1 | 0 | 1, majority: string): string {
  if (set.neutral !== undefined) return polarity < 0 ? set.negative! : polarity > 0 ? set.positive! : set.neutral;
  if (set.kind === 'complaint') return polarity < 0 ? set.positive! : set.negative!;
  return polarity < 0 ? set.negative! : polarity > 0 ? set.positive! : majority;
}

const isPolar = (s: BenchSet) => s.kind === 'sentiment' || s.kind === 'complaint';

const METHODS: Method[] = [
  { name: 'majority', applies: () => true, make: (_s, train) => { const l = majorityOf(train); return () => l; } },
  {
    name: 'afinn (sentiment)', applies: (s) => s.lang === 'en' && isPolar(s),
    make: (set, train) => {
      const Sentiment = require('sentiment') as new () => Afinn;
      const afinn = new Sentiment();
      const maj = majorityOf(train);
      return (text) => polarityLabel(set, Math.sign(afinn.analyze(text).score) as -1 | 0 | 1, maj);
    },
  },
  {
    name: 'vader', applies: (s) => s.lang === 'en' && isPolar(s),
    make: (set, train) => {
      const vader = require('vader-sentiment') as Vader;
      const maj = majorityOf(train);
      return (text) => {
        const c = vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
        // Three classes: the usual ±0.05 band; two: the nearer class, the majority at exactly 0.
        const p = set.neutral !== undefined ? (c >= 0.05 ? 1 : c <= -0.05 ? -1 : 0) : Math.sign(c);
        return polarityLabel(set, p as -1 | 0 | 1, maj);
      };
    },
  },
  {
    name: 'allears lexicon', applies: (s) => s.kind === 'sentiment',
    make: (set, train) => {
      const maj = majorityOf(train);
      return (text) => {
        const s = lexiconSentiment.score(text, set.lang);
        return polarityLabel(set, s.label === 'negative' ? -1 : s.label === 'positive' ? 1 : set.neutral !== undefined ? 0 : (Math.sign(s.score) as -1 | 0 | 1), maj);
      };
    },
  },
  {
    name: 'allears rules', applies: (s) => s.kind === 'complaint',
    make: (set) => (text) => {
      const sentiment = lexiconSentiment.score(text, set.lang);
      return ruleComplaint.predict({ text, lang: set.lang, sentiment, channel: 'social', surveyBand: null }).is ? set.positive! : set.negative!;
    },
  },
];

interface Row {
  set: string;
  method: string;
  train: number;
  test: number;
  accuracy: number;
  macroF1: number;
  bar: number | null;
  pass: boolean | null;
  trainSeconds: number | null;
  docsPerSecond: number;
  note?: string;
  training?: SetTraining;
}

function timed(test: readonly Example[], predict: (text: string) => string): { m: Metrics; docsPerSecond: number } {
  const t0 = performance.now();
  const predicted = test.map((e) => predict(e.text));
  const s = (performance.now() - t0) / 1000;
  return { m: computeMetrics(test.map((e) => e.label), predicted), docsPerSecond: test.length / s };
}

function printRow(r: Row): void {
  const f = (x: number) => x.toFixed(3);
  const bar = r.bar === null ? '' : `${f(r.bar)} ${r.pass ? 'ok' : 'MISS'}`;
  console.log(`${r.set.padEnd(20)} ${r.method.padEnd(18)} ${String(r.train).padStart(6)} ${String(r.test).padStart(6)}  ${f(r.accuracy).padStart(6)} ${f(r.macroF1).padStart(7)}  ${bar.padEnd(10)} ${(r.trainSeconds === null ? '' : r.trainSeconds.toFixed(1)).padStart(7)} ${Math.round(r.docsPerSecond).toLocaleString('en-US').padStart(10)}`);
}

async function main(): Promise<void> {
  if (!existsSync(DATA)) {
    console.log(`quality: skipped — ${DATA} is absent (the shared evaluation data lives beside the repository)`);
    return;
  }
  const only = flag('only');
  const baselines = !process.argv.includes('--no-baselines');
  const rows: Row[] = [];
  const started = performance.now();
  console.log(`${'set'.padEnd(20)} ${'method'.padEnd(18)} ${'train'.padStart(6)} ${'test'.padStart(6)}  ${'acc'.padStart(6)} ${'macroF1'.padStart(7)}  ${'bar'.padEnd(10)} ${'train s'.padStart(7)} ${'docs/s'.padStart(10)}`);
  for (const set of SETS) {
    if (only && !set.name.includes(only)) continue;
    const examples = await loadSet(set);
    const { train, test } = splitDeterministic(examples, 42, 0.2);
    const extra = await augmentation(set, examples);
    const training = SET_TRAINING[set.name] ?? {};
    const t0 = performance.now();
    const clf = trainClassifier(extra.length ? [...train, ...extra] : train, { task: set.name, ...training });
    const trainSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const m = evaluate(clf, test);
    const docsPerSecond = test.length / ((performance.now() - t1) / 1000);
    const row: Row = {
      set: set.name, method: 'allears', train: train.length + extra.length, test: test.length, accuracy: m.accuracy, macroF1: m.macroF1,
      bar: set.bar || null, pass: set.bar ? m.accuracy >= set.bar : null, trainSeconds, docsPerSecond, training, ...(set.note ? { note: set.note } : {}),
    };
    rows.push(row);
    printRow(row);
    if (!baselines) continue;
    for (const method of METHODS) {
      if (!method.applies(set)) continue;
      const { m: bm, docsPerSecond: dps } = timed(test, method.make(set, train));
      const b: Row = { set: set.name, method: method.name, train: train.length, test: test.length, accuracy: bm.accuracy, macroF1: bm.macroF1, bar: null, pass: null, trainSeconds: null, docsPerSecond: dps };
      rows.push(b);
      printRow(b);
    }
  }
  const notes = SETS.filter((s) => s.note && (!only || s.name.includes(only))).map((s) => `${s.name}: ${s.note}`);
  for (const n of notes) console.log(`note  ${n}`);
  const misses = rows.filter((r) => r.pass === false).map((r) => r.set);
  if (!only || 'x-ci-severity'.includes(only)) {
    console.log('');
    const escalation = await escalationBench(false);
    if (escalation && !escalation.pass) misses.push('x-ci-severity (escalation)');
  }
  console.log(misses.length ? `bars missed: ${misses.join(', ')}` : 'every bar met');
  const total = (performance.now() - started) / 1000;
  console.log(`total ${total.toFixed(0)} s`);
  writeResults('quality', { split: { seed: 42, testFraction: 0.2 }, totalSeconds: total, misses, rows });
}

await main();
