/**
 * bench:quality-escalation — does the escalation score rank real complaints by severity?
 *
 * X-CI (../shared/data/escalation/x-ci_complaint_severity.csv): tweets to brands with a complaint
 * severity 0–4. A fixed split: 20% of each severity held out (splitDeterministic per severity,
 * seed 42). The escalation model is trained on the other 80% by `allears train --task escalation`
 * (label: Severity); the held-out 20% then goes through the whole pipeline, and the escalation
 * stage's score — rules plus the model's signal — is scored by ROC AUC for Severity ≥ 3 against the
 * rest. The tuned configuration (TUNED below, chosen inside the 80%) adds a sentiment model trained
 * on the airline tweets. Also printed: the shipped weights, the rules alone, the model's risk alone,
 * the level distribution, the share of high/critical items whose signals carry evidence, and
 * pipeline throughput.
 *
 * Run: node --import tsx bench/quality-escalation.ts
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stageEscalation, withEscalationModel } from '../cli/commands/eval.ts';
import { readAll, rocAuc, runTrain } from '../cli/commands/train.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { ESCALATION_LEVELS } from '../model/index.ts';
import { splitDeterministic } from '../pipeline/nlp/classifier/index.ts';
import { gatedRisk } from '../pipeline/stages/escalation.ts';
import { ClassifierBundle } from '../pipeline/stages/topics.ts';
import { report } from './report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FILE = resolve(ROOT, '../shared/data/escalation/x-ci_complaint_severity.csv');
const SEED = 42;
const BAR = 0.85;
const AIRLINE = resolve(ROOT, '../shared/data/airline/tweets.csv');
/**
 * Chosen by 5-fold cross-validation of the whole stage inside the training 80% (mean AUC 0.828,
 * against 0.807 for the shipped weights with the same escalation model): a sentiment model trained
 * on the airline tweets (none of which is in X-CI), the negative signal scaled by how negative,
 * and the complaint signal on. Tried: lexicon or airline sentiment; negative 0.2 step at −0.4, 0.3
 * or 0.5 scaled from −0.2, 0.3 scaled from 0; complaint 0 or 0.2.
 */
const TUNED = { negative: { weight: 0.3, below: -0.2, scaled: true }, complaint: { weight: 0.2 } };

async function main(): Promise<void> {
  if (!existsSync(FILE)) {
    console.log(`quality-escalation: skipped — ${FILE} is absent (the shared evaluation data lives beside the repository)`);
    return;
  }
  const { records } = await readAll(FILE, { task: "escalation" });
  const bySeverity = new Map<string, Array<Record<string, unknown>>>();
  for (const r of records) {
    const s = String(r['Severity'] ?? '').trim();
    if (!s || !String(r['tweet'] ?? '').trim()) continue;
    (bySeverity.get(s) ?? bySeverity.set(s, []).get(s)!).push(r);
  }
  const train: Array<Record<string, unknown>> = [];
  const test: Array<Record<string, unknown>> = [];
  for (const s of [...bySeverity.keys()].sort()) {
    const part = splitDeterministic(bySeverity.get(s)!, SEED, 0.2);
    train.push(...part.train);
    test.push(...part.test);
  }

  const dir = join(ROOT, 'bench/results');
  const trainFile = join(dir, 'x-ci-train.jsonl');
  const modelFile = join(dir, 'x-ci-escalation.json');
  writeFileSync(trainFile, train.map((r) => JSON.stringify({ tweet: r['tweet'], Severity: r['Severity'] })).join('\n'));
  const sink = { write: () => true };
  const trained = await runTrain({ task: 'escalation', data: trainFile, textCol: 'tweet', labelCol: 'Severity', out: modelFile, testFraction: '0', seed: String(SEED) }, sink);

  const texts = test.map((r) => String(r['tweet']));
  const positive = test.map((r) => Number(r['Severity']) >= 3);
  // The sentiment model the tuned configuration uses, from the airline tweets (minus any X-CI text).
  const xci = new Set(records.map((r) => String(r['tweet'] ?? '').trim()));
  const airlineFile = join(dir, 'airline-sentiment-train.jsonl');
  const airline = (await readAll(AIRLINE, { task: 'sentiment' })).records.filter((r) => !xci.has(String(r['text'] ?? '').trim()));
  writeFileSync(airlineFile, airline.map((r) => JSON.stringify({ text: r['text'], label: r['airline_sentiment'] })).join('\n'));
  const sentimentFile = join(dir, 'airline-sentiment.json');
  await runTrain({ task: 'sentiment', data: airlineFile, textCol: 'text', labelCol: 'label', out: sentimentFile, testFraction: '0', seed: String(SEED) }, sink);

  const shipped = loadConfig({ env: {} });
  const config: Config = {
    ...shipped,
    models: { ...shipped.models, sentiment: { ...shipped.models.sentiment, en: sentimentFile } },
    escalation: { ...shipped.escalation, signals: { ...shipped.escalation.signals, ...TUNED } },
  };
  const shippedScores = await stageEscalation(withEscalationModel(shipped, modelFile), texts);
  await stageEscalation(shipped, texts);
  const rulesStats = { seconds: 0 };
  const rulesOnly = await stageEscalation(shipped, texts, rulesStats);
  // Once to warm up (JIT, jieba's dictionary), once timed.
  await stageEscalation(withEscalationModel(config, modelFile), texts);
  const stats = { seconds: 0 };
  const withModel = await stageEscalation(withEscalationModel(config, modelFile), texts, stats);
  const seconds = stats.seconds;
  const bundle = ClassifierBundle.load(modelFile);
  const risk = texts.map((t) => gatedRisk(bundle.probabilities(t)));

  const auc = rocAuc(withModel.map((e) => e.score), positive) ?? NaN;
  const levels = Object.fromEntries(ESCALATION_LEVELS.map((l) => [l, withModel.filter((e) => e.level === l).length]));
  const urgent = withModel.filter((e) => e.level === 'high' || e.level === 'critical');
  const explained = urgent.filter((e) => e.signals.some((s) => s.evidence.trim() !== '')).length;
  const share = urgent.length ? explained / urgent.length : 1;
  const f3 = (x: number) => x.toFixed(3);
  report('quality-escalation', [
    ['train / test rows (stratified by severity)', `${trained.trainRows} / ${test.length}`],
    ['positives in test (Severity ≥ 3)', positive.filter(Boolean).length],
    ['ROC AUC, escalation score (tuned config + models)', f3(auc), `bar ${BAR}: ${auc >= BAR ? 'ok' : 'MISS'}`],
    ['ROC AUC, escalation score (shipped weights + model)', f3(rocAuc(shippedScores.map((e) => e.score), positive) ?? NaN)],
    ['ROC AUC, rules alone (shipped config)', f3(rocAuc(rulesOnly.map((e) => e.score), positive) ?? NaN)],
    ['ROC AUC, model risk alone', f3(rocAuc(risk, positive) ?? NaN)],
    ...ESCALATION_LEVELS.map((l) => [`level ${l}`, `${levels[l]} (${((100 * levels[l]!) / test.length).toFixed(1)}%)`] as const),
    ['high/critical with evidence', `${explained}/${urgent.length} (${(100 * share).toFixed(1)}%)`, `bar 100%: ${share === 1 ? 'ok' : 'MISS'}`],
    ['docs/s (whole pipeline, tuned config + models)', Math.round(test.length / seconds)],
    ['docs/s (whole pipeline, rules only)', Math.round(test.length / rulesStats.seconds)],
    ['model', trained.version],
  ], { split: { seed: SEED, testFraction: 0.2, stratifiedBy: 'Severity' }, tuned: TUNED, auc, levels, evidenceShare: share });
}

await main();
