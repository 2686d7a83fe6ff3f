/**
 * Cross-validation of classifier settings inside the training part (the fixed 80% of bench:quality;
 * the held-out 20% is never read here): k folds of the 80, each setting trained on k−1 and scored on
 * the rest, plus every pair of settings as an ensemble (mean of probabilities, and mean of logits:
 * for two settings with the same features, the latter is one linear model).
 *
 * Run: node --import tsx scripts/tune-nb.ts --set ecommerce-topic [--folds 5] [--use 5] \
 *        --configs '[{"name":"base"},{"name":"nb","fo":{"binary":true},"nb":{"alpha":1}}]'
 * A config: name; fo (feature options over the set's preset); lr (logistic regression options over
 * the preset's); nb (NB scaling options, or absent); balanced.
 */
import { DEFAULT_FEATURE_OPTIONS, Featurizer, FeatureOptionsSchema, argmax, balancedClassWeights, nbFeatureScales, predictProba, splitDeterministic, trainLogReg, type FeatureOptions, type LogRegOptions, type NbScaleOptions, type SparseVector } from '../pipeline/nlp/classifier/index.ts';
import { mulberry32, shuffleInPlace } from '../pipeline/nlp/classifier/hash.ts';
import { SET_TRAINING } from '../pipeline/nlp/classifier/presets.ts';
import { SETS, loadSet } from './data-sets.ts';

interface Config {
  name: string;
  fo?: Partial<FeatureOptions>;
  lr?: LogRegOptions;
  nb?: NbScaleOptions;
  balanced?: boolean;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const setName = flag('set') ?? 'ecommerce-topic';
const k = Number(flag('folds') ?? 5);
const use = Number(flag('use') ?? k);
const configs = JSON.parse(flag('configs') ?? '[{"name":"base"}]') as Config[];
const set = SETS.find((s) => s.name === setName);
if (!set) throw new Error(`no set ${setName}`);
const preset = SET_TRAINING[set.name] ?? {};

const { train } = splitDeterministic(await loadSet(set), 42, 0.2);
const labels = [...new Set(train.map((e) => e.label))].sort();
const K = labels.length;
const ys = Int32Array.from(train, (e) => labels.indexOf(e.label));
const fold = new Int32Array(train.length);
shuffleInPlace(Array.from({ length: train.length }, (_, i) => i), mulberry32(7)).forEach((n, i) => (fold[n] = i % k));
console.log(`${set.name}: ${train.length} training rows, ${K} labels, ${k} folds (scoring ${use})`);

const cache = new Map<string, { xs: SparseVector[]; dim: number }>();
function vectors(fo: FeatureOptions): { xs: SparseVector[]; dim: number } {
  const key = JSON.stringify(fo, Object.keys(fo).sort());
  let v = cache.get(key);
  if (!v) {
    const f = new Featurizer(fo);
    const t0 = performance.now();
    v = { xs: train.map((e) => f.transform(e.text)), dim: f.dim };
    console.log(`  featurized ${key} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    cache.set(key, v);
  }
  return v;
}

/** Per config, the probabilities of every row when it was held out (rows of folds not scored stay empty). */
const probs: Float64Array[] = [];
for (const c of configs) {
  const fo = FeatureOptionsSchema.parse({ ...DEFAULT_FEATURE_OPTIONS, ...preset.featureOptions, ...c.fo });
  // IDF weights come from each fold's training rows, which this cache of vectors does not do.
  if (fo.idf) throw new Error(`${c.name}: idf is not supported here`);
  const { xs, dim } = vectors(fo);
  const out = new Float64Array(train.length * K);
  const p = new Float64Array(K);
  const t0 = performance.now();
  const accs: number[] = [];
  for (let f = 0; f < use; f++) {
    const tr: number[] = [];
    for (let n = 0; n < xs.length; n++) if (fold[n] !== f) tr.push(n);
    const txs = tr.map((n) => xs[n]!);
    const tys = Int32Array.from(tr, (n) => ys[n]!);
    const featureScales = c.nb ? nbFeatureScales(txs, tys, K, dim, c.nb) : undefined;
    const classWeights = (c.balanced ?? preset.balanced) ? balancedClassWeights(tys, K) : undefined;
    const m = trainLogReg(txs, tys, K, dim, { ...preset.logreg, ...c.lr, ...(classWeights ? { classWeights } : {}), ...(featureScales ? { featureScales } : {}) });
    let right = 0, total = 0;
    for (let n = 0; n < xs.length; n++) {
      if (fold[n] !== f) continue;
      predictProba(m, xs[n]!, p);
      out.set(p, n * K);
      total++;
      if (argmax(p) === ys[n]) right++;
    }
    accs.push(right / total);
    if (process.argv.includes('--verbose')) console.log(`    ${c.name} fold ${f}: ${(right / total).toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  probs.push(out);
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  console.log(`${c.name.padEnd(28)} cv acc ${mean.toFixed(4)}  folds ${accs.map((a) => a.toFixed(4)).join(' ')}  ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** Accuracy of the probability average of some configs over the scored folds. */
function ensembleAcc(members: number[], geometric = false): number {
  let right = 0, total = 0;
  const p = new Float64Array(K);
  for (let n = 0; n < train.length; n++) {
    if (fold[n]! >= use) continue;
    p.fill(0);
    for (const c of members) for (let j = 0; j < K; j++) p[j] = p[j]! + (geometric ? Math.log(probs[c]![n * K + j]! + 1e-300) : probs[c]![n * K + j]!);
    total++;
    if (argmax(p) === ys[n]) right++;
  }
  return right / total;
}
for (let a = 0; a < configs.length; a++) {
  for (let b = a + 1; b < configs.length; b++) console.log(`ensemble ${configs[a]!.name} + ${configs[b]!.name}: ${ensembleAcc([a, b]).toFixed(4)} (mean of logits ${ensembleAcc([a, b], true).toFixed(4)})`);
}
