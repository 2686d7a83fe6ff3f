/**
 * Rebuild the models shipped in models/ from the labelled sets in ../shared/data:
 *
 *   node --import tsx scripts/build-models.ts [--only sentiment-en] [--check]
 *
 * Each model learns from the 80% part of the fixed 80/20 split of each of its sets (the split
 * bench:quality uses) and is scored on the 20% it never saw; those scores go on its card. The same
 * data give the same weights (training is seeded); the card's date is SOURCE_DATE_EPOCH when set,
 * else now. Weights are stored as int8 and the file gzipped; the card's scores are those of the
 * stored (rounded) weights. --check rebuilds in memory and compares with the files on disk.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  computeMetrics, loadModelSync, quantizeInt8, saveModel, SET_TRAINING, splitDeterministic, toModelFile, trainClassifier, TextClassifier,
  type Example,
} from '../pipeline/nlp/classifier/index.ts';
import { DATA_DIR, ROOT, SETS, loadSet, normText as norm } from './data-sets.ts';
import { DATA_PROVENANCE, MODEL_SPECS, type ModelSpec } from './model-specs.ts';

const COMMAND = 'node --import tsx scripts/build-models.ts';


interface Part {
  set: string;
  file: string;
  train: Example[];
  test: Example[];
}

/**
 * The training and held-out parts of each set. A text seen in an earlier set (either part) is
 * dropped from later ones, so no held-out text is also trained on through another set.
 */
async function partsOf(spec: ModelSpec): Promise<Part[]> {
  const seen = new Set<string>();
  const parts: Part[] = [];
  for (const name of spec.sets) {
    const set = SETS.find((s) => s.name === name);
    if (!set) throw new Error(`${spec.file}: no set "${name}" in scripts/data-sets.ts`);
    const examples = await loadSet(set);
    const { train, test } = splitDeterministic(examples, 42, 0.2);
    const fresh = (xs: Example[]) => xs.filter((e) => !seen.has(norm(e.text)));
    const part = { set: name, file: set.sources.map((s) => s.file).join(' + '), train: fresh(train), test: fresh(test) };
    for (const e of examples) seen.add(norm(e.text));
    parts.push(part);
  }
  return parts;
}

/** Predicted labels for held-out examples. */
const predictAll = (clf: TextClassifier, xs: readonly Example[]) => xs.map((e) => clf.predictLabel(e.text));

export async function buildModel(spec: ModelSpec, now: Date): Promise<{ classifier: TextClassifier; log: string[] }> {
  const parts = await partsOf(spec);
  const train = parts.flatMap((p) => p.train);
  const test = parts.flatMap((p) => p.test);
  const training = SET_TRAINING[spec.preset];
  if (!training) throw new Error(`${spec.file}: no preset "${spec.preset}" in SET_TRAINING`);
  const files = parts.map((p) => p.file);
  const provenance = files.map((f) => ({ file: f, ...(DATA_PROVENANCE[f] ?? { source: 'see ../shared/data/README.md', licence: 'unknown', nonCommercial: true }) }));
  const nonCommercial = provenance.filter((p) => p.nonCommercial).map((p) => p.file);
  const terms = nonCommercial.length
    ? `Trained on data licensed for non-commercial use only (${nonCommercial.join(', ')}): these weights inherit those terms. Retrain on your own labels for other uses (models/README.md).`
    : `Trained on data whose licences are listed under sources (some state none): check them before use, or retrain on your own labels (models/README.md).`;

  const t0 = performance.now();
  const draft = quantizeInt8(trainClassifier(train, { task: spec.task, ...training, now: () => now }));
  const trainSeconds = (performance.now() - t0) / 1000;
  const predicted = predictAll(draft, test);
  const metrics = computeMetrics(test.map((e) => e.label), predicted, draft.labels);
  const metricsBySource: Record<string, { accuracy: number; macroF1: number; n: number }> = {};
  let at = 0;
  for (const p of parts) {
    const m = computeMetrics(p.test.map((e) => e.label), predicted.slice(at, at + p.test.length), draft.labels);
    at += p.test.length;
    metricsBySource[p.file] = { accuracy: round(m.accuracy), macroF1: round(m.macroF1), n: p.test.length };
  }
  const classifier = new TextClassifier(draft.task, draft.labels, draft.featureOptions, draft.model, {
    trainedAt: now.toISOString(),
    data: { file: files.join(' + '), rows: train.length, licence: provenance.map((p) => `${p.file}: ${p.licence}`).join('; ') },
    metrics: { accuracy: round(metrics.accuracy), macroF1: round(metrics.macroF1), perClass: Object.fromEntries(Object.entries(metrics.perClass).map(([k, c]) => [k, { precision: round(c.precision), recall: round(c.recall), f1: round(c.f1), support: c.support }])) },
    version: `${spec.task}-${spec.lang}-${draft.card!.version.split(':').pop()}`,
    sources: parts.map((p, i) => ({ file: p.file, rows: p.train.length, source: provenance[i]!.source, licence: provenance[i]!.licence })),
    metricsBySource,
    terms,
    command: COMMAND,
  }, draft.idf);
  const log = [
    `${spec.file}: ${train.length} training rows, ${test.length} held out; accuracy ${metrics.accuracy.toFixed(3)}, macro-F1 ${metrics.macroF1.toFixed(3)} (trained in ${trainSeconds.toFixed(1)} s)`,
    ...parts.map((p) => `  ${p.file}: train ${p.train.length}, held out ${p.test.length}, accuracy ${metricsBySource[p.file]!.accuracy.toFixed(3)}`),
  ];
  return { classifier, log };
}

const round = (x: number) => Math.round(x * 10000) / 10000;

/** The stored weights as one string, for --check. */
const weightsOf = (clf: TextClassifier) => toModelFile(clf, { int8: true }).weights;

async function main(): Promise<void> {
  if (!existsSync(DATA_DIR)) {
    console.log(`build-models: skipped — ${DATA_DIR} is absent (the labelled data lives beside the repository)`);
    return;
  }
  const i = process.argv.indexOf('--only');
  const only = i >= 0 ? process.argv[i + 1] : undefined;
  const check = process.argv.includes('--check');
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const now = epoch ? new Date(Number(epoch) * 1000) : new Date();
  let mismatches = 0;
  for (const spec of MODEL_SPECS) {
    if (only && !spec.file.includes(only)) continue;
    const { classifier, log } = await buildModel(spec, now);
    for (const l of log) console.log(l);
    const path = join(ROOT, spec.file);
    if (check) {
      const same = existsSync(path) && weightsOf(loadModelSync(path)) === weightsOf(classifier);
      if (!same) mismatches++;
      console.log(`  ${same ? 'same weights as' : 'DIFFERS from'} ${relative(ROOT, path)}`);
      continue;
    }
    await saveModel(classifier, path, { int8: true });
    // What was written must load and give the scores on its card.
    const loaded = loadModelSync(path);
    if (weightsOf(loaded) !== weightsOf(classifier)) throw new Error(`${spec.file}: the written model does not read back the same`);
    console.log(`  written ${relative(ROOT, path)} (${(statSync(path).size / 1024).toFixed(0)} KB)`);
  }
  if (mismatches) {
    console.log(`${mismatches} model(s) differ from their rebuild`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
