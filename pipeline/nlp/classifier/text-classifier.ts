import type { ModelCard } from './card.ts';
import type { EnTokens } from '../en-tokenizer.ts';
import { Featurizer, type FeatureOptions, type SparseVector } from './features.ts';
import { predictProba, type LogRegWeights } from './logreg.ts';

export interface Prediction {
  label: string;
  probabilities: Record<string, number>;
}

/**
 * The last text featurized for prediction, per feature options: the sentiment and complaint
 * models of a language usually share their options, and then each text is featurized once.
 * Only models without IDF weights share (with them, the vector depends on the model).
 */
const lastFeatures = new Map<string, { text: string; x: SparseVector }>();

/** Features plus weights: text in, label out. Not safe to share across worker threads (one scratch buffer). */
export class TextClassifier {
  private readonly featurizer: Featurizer;
  private readonly scratch: Float64Array;
  /** Key of the shared featurization cache, or null when this model's vectors are its own. */
  private readonly shareKey: string | null;

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
    this.shareKey = featureOptions.idf ? null : JSON.stringify(featureOptions, Object.keys(featureOptions).sort());
  }

  features(text: string): SparseVector {
    return this.featurizer.transform(text);
  }

  /** Features for scoring: the shared vector when the last text featurized with these options was this one. Read only. */
  private scoringFeatures(text: string, tokens?: EnTokens): SparseVector {
    // A transient vector lives until this featurizer's next call, which also replaces the shared entry.
    if (this.shareKey === null) return this.featurizer.transformTransient(text, tokens);
    const last = lastFeatures.get(this.shareKey);
    if (last !== undefined && last.text === text) return last.x;
    const x = this.featurizer.transformTransient(text, tokens);
    if (last !== undefined) {
      last.text = text;
      last.x = x;
    } else lastFeatures.set(this.shareKey, { text, x });
    return x;
  }

  /**
   * Class probabilities in `labels` order, in a buffer the next call overwrites: for callers that
   * read them at once (the pipeline adapters), without building an object per text. `tokens`:
   * tokenizeEn(text), when the caller already has them.
   */
  probabilities(text: string, tokens?: EnTokens): Float64Array {
    return predictProba(this.model, this.scoringFeatures(text, tokens), this.scratch);
  }

  predict(text: string): Prediction {
    const p = predictProba(this.model, this.scoringFeatures(text), this.scratch);
    const probabilities: Record<string, number> = {};
    for (let k = 0; k < this.labels.length; k++) probabilities[this.labels[k]!] = p[k]!;
    return { label: this.labels[argmax(p)]!, probabilities };
  }

  /** The label alone, without building the probabilities object: for bulk evaluation. */
  predictLabel(text: string): string {
    return this.labels[argmax(predictProba(this.model, this.scoringFeatures(text), this.scratch))]!;
  }
}

/** Index of the largest value; the first on ties, so results do not depend on anything but the scores. */
export function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
  return best;
}
