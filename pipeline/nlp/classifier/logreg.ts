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
