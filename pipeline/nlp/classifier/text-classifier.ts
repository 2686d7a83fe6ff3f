import type { ModelCard } from './card.ts';
import { Featurizer, type FeatureOptions, type SparseVector } from './features.ts';
import { predictProba, type LogRegWeights } from './logreg.ts';

export interface Prediction {
  label: string;
  probabilities: Record<string, number>;
}

/** Features plus weights: text in, label out. Not safe to share across worker threads (one scratch buffer). */
export class TextClassifier {
  private readonly featurizer: Featurizer;
  private readonly scratch: Float64Array;

  constructor(
    readonly task: string,
    readonly labels: readonly string[],
    readonly featureOptions: FeatureOptions,
    readonly model: LogRegWeights,
    readonly card?: ModelCard,
    /** Per-feature IDF weights from training, when featureOptions.idf is on. */
    readonly idf?: Float32Array,
  ) {
    if (model.numClasses !== labels.length) throw new RangeError(`model has ${model.numClasses} classes, ${labels.length} labels given`);
    if (featureOptions.idf && !idf) throw new RangeError('the feature options ask for IDF weights, none given');
    this.featurizer = new Featurizer(featureOptions, featureOptions.idf ? idf : undefined);
    if (this.featurizer.dim !== model.dim) throw new RangeError(`model has ${model.dim} features, the feature options give ${this.featurizer.dim}`);
    this.scratch = new Float64Array(labels.length);
  }

  features(text: string): SparseVector {
    return this.featurizer.transform(text);
  }

  predict(text: string): Prediction {
    const p = predictProba(this.model, this.featurizer.transform(text), this.scratch);
    const probabilities: Record<string, number> = {};
    for (let k = 0; k < this.labels.length; k++) probabilities[this.labels[k]!] = p[k]!;
    return { label: this.labels[argmax(p)]!, probabilities };
  }

  /** The label alone, without building the probabilities object: for bulk evaluation. */
  predictLabel(text: string): string {
    return this.labels[argmax(predictProba(this.model, this.featurizer.transform(text), this.scratch))]!;
  }
}

/** Index of the largest value; the first on ties, so results do not depend on anything but the scores. */
export function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
  return best;
}
