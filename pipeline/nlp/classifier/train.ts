import { ValidationError } from '../../../model/index.ts';
import { applyIdf, computeIdf, DEFAULT_FEATURE_OPTIONS, Featurizer, FeatureOptionsSchema, type FeatureOptions } from './features.ts';
import { fmix, mulberry32, shuffleInPlace } from './hash.ts';
import { balancedClassWeights, nbFeatureScales, trainLogReg, type LogRegOptions, type NbScaleOptions } from './logreg.ts';
import { computeMetrics, type Metrics } from './metrics.ts';
import { TextClassifier } from './text-classifier.ts';

export interface Example {
  text: string;
  label: string;
}

export interface TrainOptions {
  task: string;
  featureOptions?: Partial<FeatureOptions>;
  logreg?: Omit<LogRegOptions, 'classWeights' | 'featureScales'>;
  /**
   * Scale the features by their naive-Bayes log-count ratios while training (see nbFeatureScales).
   * The scales end up inside the weights: the model file is the usual one, scored the usual way.
   */
  nb?: NbScaleOptions;
  /** Weigh classes inversely to their size (helps macro-F1 on skewed data). */
  balanced?: boolean;
  /** For the model card. */
  data?: { file: string; licence?: string };
  now?: () => Date;
}

export interface TrainFromRecordsOptions extends TrainOptions {
  textCol: string;
  labelCol: string;
  /** Seed of the train/test split (default 42). */
  splitSeed?: number;
  /** Share held out for evaluation (default 0.2). */
  testFraction?: number;
}

export interface TrainResult {
  classifier: TextClassifier;
  /** On the held-out part. */
  metrics: Metrics;
  trainRows: number;
  testRows: number;
  /** Records without text or label. */
  skipped: number;
  trainMs: number;
}

/**
 * A fixed split: the same rows and seed always give the same two parts, in the rows' original
 * order within each part. `testFraction` of the rows (rounded) go to `test`.
 */
export function splitDeterministic<T>(rows: readonly T[], seed = 42, testFraction = 0.2): { train: T[]; test: T[] } {
  const order = shuffleInPlace(Array.from({ length: rows.length }, (_, i) => i), mulberry32(seed));
  const inTest = new Uint8Array(rows.length);
  const nTest = Math.round(rows.length * testFraction);
  for (let i = 0; i < nTest; i++) inTest[order[i]!] = 1;
  const train: T[] = [];
  const test: T[] = [];
  rows.forEach((r, i) => (inTest[i] ? test : train).push(r));
  return { train, test };
}

const cell = (v: unknown): string => (v === undefined || v === null ? '' : String(v).trim());

/** Text and label of each record; records missing either are counted, not kept. */
export function extractExamples(records: Iterable<Record<string, unknown>>, textCol: string, labelCol: string): { examples: Example[]; skipped: number } {
  const examples: Example[] = [];
  let skipped = 0;
  let first = true;
  for (const r of records) {
    if (first) {
      first = false;
      for (const [field, col] of [['textCol', textCol], ['labelCol', labelCol]] as const) {
        if (!(col in r)) throw new ValidationError(`no column "${col}"`, [{ path: field, message: `no column "${col}"; the columns are ${Object.keys(r).join(', ')}` }]);
      }
    }
    const text = cell(r[textCol]);
    const label = cell(r[labelCol]);
    if (text && label) examples.push({ text, label });
    else skipped++;
  }
  return { examples, skipped };
}

/** Train on all of `examples`; the card's metrics are the caller's to fill in (see trainFromRecords). */
export function trainClassifier(examples: readonly Example[], opts: TrainOptions, metrics?: Metrics): TextClassifier {
  const featureOptions = FeatureOptionsSchema.parse({ ...DEFAULT_FEATURE_OPTIONS, ...opts.featureOptions });
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  if (labels.length < 2) {
    throw new ValidationError(`training needs at least two labels, found ${labels.length === 0 ? 'none' : `only "${labels[0]}"`}`, [{ path: 'labelCol', message: 'fewer than two distinct labels' }]);
  }
  const index = new Map(labels.map((l, i) => [l, i] as const));
  const featurizer = new Featurizer({ ...featureOptions, idf: false });
  const xs = examples.map((e) => featurizer.transform(e.text));
  // IDF from the training examples alone; featurizing with it equals rescaling and renormalising.
  const idf = featureOptions.idf ? computeIdf(xs, featurizer.dim) : undefined;
  if (idf) for (const x of xs) applyIdf(x, idf);
  const ys = Int32Array.from(examples, (e) => index.get(e.label)!);
  const classWeights = opts.balanced ? balancedClassWeights(ys, labels.length) : undefined;
  const featureScales = opts.nb ? nbFeatureScales(xs, ys, labels.length, featurizer.dim, opts.nb) : undefined;
  const model = trainLogReg(xs, ys, labels.length, featurizer.dim, { ...opts.logreg, classWeights, ...(featureScales ? { featureScales } : {}) });
  if (opts.nb?.averageWithPlain) {
    const plain = trainLogReg(xs, ys, labels.length, featurizer.dim, { ...opts.logreg, classWeights });
    for (let j = 0; j < model.weights.length; j++) model.weights[j] = (model.weights[j]! + plain.weights[j]!) / 2;
    for (let k = 0; k < model.bias.length; k++) model.bias[k] = (model.bias[k]! + plain.bias[k]!) / 2;
  }
  const card = {
    trainedAt: (opts.now?.() ?? new Date()).toISOString(),
    data: { file: opts.data?.file ?? '(in memory)', rows: examples.length, ...(opts.data?.licence ? { licence: opts.data.licence } : {}) },
    metrics: { accuracy: metrics?.accuracy ?? 0, macroF1: metrics?.macroF1 ?? 0, perClass: metrics?.perClass ?? {} },
    version: `textclf-1:${opts.task}:${fingerprint(model.weights)}`,
  };
  return new TextClassifier(opts.task, labels, featureOptions, model, card, idf);
}

export function evaluate(clf: TextClassifier, examples: readonly Example[]): Metrics {
  return computeMetrics(examples.map((e) => e.label), examples.map((e) => clf.predictLabel(e.text)), clf.labels);
}

/**
 * Split 80/20, train on the 80, score on the 20, and return the model with those scores in its
 * card: the numbers a model file shows are always from data the model did not see.
 */
export function trainFromRecords(records: Iterable<Record<string, unknown>>, opts: TrainFromRecordsOptions): TrainResult {
  const { examples, skipped } = extractExamples(records, opts.textCol, opts.labelCol);
  const { train, test } = splitDeterministic(examples, opts.splitSeed ?? 42, opts.testFraction ?? 0.2);
  const started = performance.now();
  const draft = trainClassifier(train, opts);
  const trainMs = performance.now() - started;
  const metrics = evaluate(draft, test);
  const classifier = new TextClassifier(draft.task, draft.labels, draft.featureOptions, draft.model, {
    ...draft.card!,
    data: { ...draft.card!.data, rows: train.length },
    metrics: { accuracy: metrics.accuracy, macroF1: metrics.macroF1, perClass: metrics.perClass },
  }, draft.idf);
  return { classifier, metrics, trainRows: train.length, testRows: test.length, skipped, trainMs };
}

/** A short hash of the weights, so two different models of the same task never share a version. */
function fingerprint(w: Float32Array): string {
  const u = new Uint32Array(w.buffer, w.byteOffset, w.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < u.length; i++) if (u[i] !== 0) h = Math.imul(h ^ u[i]! ^ i, 0x01000193);
  return (fmix(h) >>> 0).toString(16).padStart(8, '0');
}
