import type { SparseVector } from './features.ts';
import { mulberry32, shuffleInPlace } from './hash.ts';

export interface LogRegOptions {
  /** Passes over the training data. */
  epochs?: number;
  /** AdaGrad base step. */
  learningRate?: number;
  /** L2 penalty per weight, applied to the weights an example touches (lazy, as usual for sparse SGD). */
  l2?: number;
  /** Seed of the example order; the same seed and data give bit-identical weights. */
  seed?: number;
  /** Loss weight per class index, e.g. from balancedClassWeights(); default all 1. */
  classWeights?: readonly number[];
  /** Return the average of the weights over all steps (Polyak averaging): steadier than the last step's. */
  average?: boolean;
  /**
   * A scale per weight (dim × numClasses, like the weights), e.g. from nbFeatureScales(): the model
   * is trained as if feature j were multiplied by scale[j·K + k] for class k, and the weights
   * returned already include the scales, so scoring needs nothing extra. A weight whose scale is 0 stays 0.
   */
  featureScales?: Float32Array;
}

/** Weights of a multinomial logistic regression; feature-major, so one feature's K weights sit together. */
export interface LogRegWeights {
  numClasses: number;
  dim: number;
  /** dim × numClasses: weights[j * numClasses + k]. */
  weights: Float32Array;
  bias: Float32Array;
}

export const DEFAULT_LOGREG_OPTIONS = { epochs: 12, learningRate: 0.1, l2: 1e-6, seed: 42, average: false } as const;

/** n / (K · count_k): every class weighs the same in total, whatever its size. */
export function balancedClassWeights(ys: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < ys.length; i++) counts[ys[i]!]!++;
  return counts.map((c) => (c > 0 ? ys.length / (numClasses * c) : 0));
}

export interface NbScaleOptions {
  /** Add-α smoothing of the per-class feature counts (default 1). */
  alpha?: number;
  /** Mix of plain (0) and NB-scaled (1) features: scale = 1 − β + β·|r| (default 1). */
  beta?: number;
  /**
   * Also train without the scales and average the two models' weights: the mean of their scores
   * (logits), still one linear model of the same size. Twice the training time.
   */
  averageWithPlain?: boolean;
}

/**
 * Naive-Bayes log-count ratios as per-weight scales (Wang & Manning 2012, "NBSVM", one class
 * against the rest): r = ln((p / ‖p‖₁) / (q / ‖q‖₁)), p and q the smoothed document counts of a
 * feature inside and outside the class. Only |r| matters to the training (a weight's sign is
 * learned), so a feature that tells the classes apart learns faster and is held back less by L2.
 */
export function nbFeatureScales(xs: readonly SparseVector[], ys: ArrayLike<number>, numClasses: number, dim: number, opts: NbScaleOptions = {}): Float32Array {
  const alpha = opts.alpha ?? 1;
  const beta = opts.beta ?? 1;
  if (!(alpha > 0)) throw new RangeError(`nb alpha must be > 0, got ${alpha}`);
  const K = numClasses;
  const counts = new Float64Array(dim * K);
  const totals = new Float64Array(K);
  for (let n = 0; n < xs.length; n++) {
    const y = ys[n]!;
    const idx = xs[n]!.indices;
    for (let i = 0; i < idx.length; i++) counts[idx[i]! * K + y] = counts[idx[i]! * K + y]! + 1;
    totals[y] = totals[y]! + idx.length;
  }
  let all = 0;
  for (let k = 0; k < K; k++) all += totals[k]!;
  const out = new Float32Array(dim * K);
  const row = new Float64Array(K);
  for (let j = 0; j < dim; j++) {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += (row[k] = counts[j * K + k]!);
    for (let k = 0; k < K; k++) {
      const p = (alpha + row[k]!) / (alpha * dim + totals[k]!);
      const q = (alpha + sum - row[k]!) / (alpha * dim + all - totals[k]!);
      out[j * K + k] = 1 - beta + beta * Math.abs(Math.log(p / q));
    }
  }
  return out;
}

/** Class probabilities of `x` into `out` (length numClasses). */
export function predictProba(m: LogRegWeights, x: SparseVector, out: Float64Array): Float64Array {
  const K = m.numClasses;
  const w = m.weights;
  for (let k = 0; k < K; k++) out[k] = m.bias[k]!;
  const { indices, values } = x;
  for (let i = 0; i < indices.length; i++) {
    const base = indices[i]! * K;
    const v = values[i]!;
    for (let k = 0; k < K; k++) out[k] = out[k]! + v * w[base + k]!;
  }
  return softmaxInPlace(out, K);
}

function softmaxInPlace(z: Float64Array, K: number): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < K; k++) if (z[k]! > max) max = z[k]!;
  let sum = 0;
  for (let k = 0; k < K; k++) {
    z[k] = Math.exp(z[k]! - max);
    sum += z[k]!;
  }
  for (let k = 0; k < K; k++) z[k] = z[k]! / sum;
  return z;
}

/**
 * Multinomial logistic regression by per-example AdaGrad: each weight gets its own step size, so
 * rare n-grams learn fast and frequent ones settle. Plain loops over typed arrays; no allocation per example.
 */
export function trainLogReg(xs: readonly SparseVector[], ys: ArrayLike<number>, numClasses: number, dim: number, opts: LogRegOptions = {}): LogRegWeights {
  const { epochs, learningRate: eta, l2, seed, average } = { ...DEFAULT_LOGREG_OPTIONS, ...opts };
  const K = numClasses;
  const m: LogRegWeights = { numClasses: K, dim, weights: new Float32Array(dim * K), bias: new Float32Array(K) };
  const w = m.weights;
  const b = m.bias;
  const g2 = new Float32Array(dim * K);
  const gb2 = new Float64Array(K);
  const p = new Float64Array(K);
  const cw = opts.classWeights;
  const S = opts.featureScales;
  if (S && S.length !== dim * K) throw new RangeError(`featureScales has ${S.length} values, ${dim} features × ${K} classes need ${dim * K}`);
  const order = Array.from({ length: xs.length }, (_, i) => i);
  const rand = mulberry32(seed);
  const EPS = 1e-6;
  // Averaging without touching every weight per step: u sums (t−1)·Δw, and the mean is w − u/T at the end.
  const u = average ? new Float64Array(dim * K) : null;
  const ub = new Float64Array(K);
  let t = 0;

  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, rand);
    for (const n of order) {
      const x = xs[n]!;
      const y = ys[n]!;
      predictProba(m, x, p);
      const scale = cw ? cw[y]! : 1;
      if (scale === 0) continue;
      t++;
      // p becomes the gradient of the loss with respect to the scores.
      for (let k = 0; k < K; k++) p[k] = (p[k]! - (k === y ? 1 : 0)) * scale;
      for (let k = 0; k < K; k++) {
        const g = p[k]!;
        gb2[k] = gb2[k]! + g * g;
        const d = (eta * g) / (Math.sqrt(gb2[k]!) + EPS);
        b[k] = b[k]! - d;
        ub[k] = ub[k]! - (t - 1) * d;
      }
      const { indices, values } = x;
      for (let i = 0; i < indices.length; i++) {
        const base = indices[i]! * K;
        const v = values[i]!;
        if (S) {
          // w holds s·θ, θ being the weight of the scaled feature: AdaGrad runs on θ.
          for (let k = 0; k < K; k++) {
            const j = base + k;
            const s = S[j]!;
            if (s === 0) continue;
            const g = s * p[k]! * v + (l2 * w[j]!) / s;
            const acc = g2[j]! + g * g;
            g2[j] = acc;
            const d = (s * eta * g) / (Math.sqrt(acc) + EPS);
            w[j] = w[j]! - d;
            if (u) u[j] = u[j]! - (t - 1) * d;
          }
          continue;
        }
        for (let k = 0; k < K; k++) {
          const j = base + k;
          const g = p[k]! * v + l2 * w[j]!;
          const acc = g2[j]! + g * g;
          g2[j] = acc;
          const d = (eta * g) / (Math.sqrt(acc) + EPS);
          w[j] = w[j]! - d;
          if (u) u[j] = u[j]! - (t - 1) * d;
        }
      }
    }
  }
  if (u && t > 0) {
    // w_t after step t sums the first t updates; the mean over steps 1…T is w_T − Σ (t−1)·Δ_t / T.
    for (let j = 0; j < w.length; j++) if (u[j] !== 0) w[j] = w[j]! - u[j]! / t;
    for (let k = 0; k < K; k++) b[k] = b[k]! - ub[k]! / t;
  }
  return m;
}
