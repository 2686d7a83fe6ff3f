import { describe, expect, test } from 'vitest';
import { DEFAULT_FEATURE_OPTIONS, Featurizer, fromModelFile, nbFeatureScales, toModelFile, trainClassifier, trainLogReg, type FeatureOptions, type SparseVector } from '../../../pipeline/nlp/classifier/index.ts';
import { toyExamples } from './classifier/toy-data.ts';

const opts = (o: Partial<FeatureOptions> = {}): FeatureOptions => ({ ...DEFAULT_FEATURE_OPTIONS, bits: 12, ...o });
const vec = (pairs: [number, number][]): SparseVector => ({ indices: Int32Array.from(pairs, (p) => p[0]), values: Float32Array.from(pairs, (p) => p[1]) });

describe('NB-weighted training', () => {
  // Feature 0 only in class 0, feature 1 in both classes alike, feature 2 only in class 1.
  const xs = [vec([[0, 0.7], [1, 0.7]]), vec([[0, 0.7], [1, 0.7]]), vec([[1, 0.7], [2, 0.7]]), vec([[1, 0.7], [2, 0.7]])];
  const ys = Int32Array.of(0, 0, 1, 1);

  test('a feature that tells the classes apart gets a larger scale than one both share', () => {
    const s = nbFeatureScales(xs, ys, 2, 8);
    expect(s[0 * 2 + 0]!).toBeGreaterThan(s[1 * 2 + 0]! + 0.5);
    expect(s[2 * 2 + 1]!).toBeGreaterThan(s[1 * 2 + 1]! + 0.5);
    // Two classes: one against the rest is the same ratio either way.
    expect(s[0]).toBeCloseTo(s[1]!, 5);
    // beta 0 is plain training: every scale 1.
    expect(Array.from(nbFeatureScales(xs, ys, 2, 8, { beta: 0 }))).toEqual(new Array(16).fill(1));
    expect(() => nbFeatureScales(xs, ys, 2, 8, { alpha: 0 })).toThrow(/alpha/);
  });

  test('scales of 1 train the very same weights as no scales; a scale of 0 keeps its weight at 0', () => {
    const plain = trainLogReg(xs, ys, 2, 8, { epochs: 3 });
    const ones = trainLogReg(xs, ys, 2, 8, { epochs: 3, featureScales: new Float32Array(16).fill(1) });
    expect(Array.from(ones.weights)).toEqual(Array.from(plain.weights));
    expect(Array.from(ones.bias)).toEqual(Array.from(plain.bias));
    const scales = new Float32Array(16).fill(1);
    scales[1 * 2 + 0] = 0;
    const frozen = trainLogReg(xs, ys, 2, 8, { epochs: 3, featureScales: scales });
    expect(frozen.weights[1 * 2 + 0]).toBe(0);
    expect(frozen.weights[1 * 2 + 1]).not.toBe(0);
    expect(() => trainLogReg(xs, ys, 2, 8, { featureScales: new Float32Array(3) })).toThrow(/featureScales/);
  });

  test('a model trained with NB scales learns, and its file is the usual one and scores the same', () => {
    const train = toyExamples('en', 300, 3);
    const clf = trainClassifier(train, { task: 'sentiment', featureOptions: { bits: 14, binary: true }, nb: { alpha: 1 } });
    const right = toyExamples('en', 100, 9).filter((e) => clf.predictLabel(e.text) === e.label).length;
    expect(right).toBeGreaterThanOrEqual(95);
    const file = toModelFile(clf);
    expect(Object.keys(file).sort()).toEqual(['bias', 'card', 'featureOptions', 'format', 'labels', 'task', 'weights']);
    const loaded = fromModelFile(JSON.parse(JSON.stringify(file)));
    for (const e of train.slice(0, 20)) expect(Array.from(loaded.probabilities(e.text))).toEqual(Array.from(clf.probabilities(e.text)));
  });

  test('averageWithPlain gives the mean of the NB-scaled and the plain model', () => {
    const train = toyExamples('zh', 200, 5);
    const base = { task: 'sentiment', featureOptions: { bits: 12 }, now: () => new Date(0) };
    const nb = trainClassifier(train, { ...base, nb: { alpha: 0.1 } });
    const plain = trainClassifier(train, base);
    const both = trainClassifier(train, { ...base, nb: { alpha: 0.1, averageWithPlain: true } });
    for (const j of [0, 7, 100, 4095 * 2 + 1]) expect(both.model.weights[j]).toBeCloseTo((nb.model.weights[j]! + plain.model.weights[j]!) / 2, 6);
    expect(both.model.bias[1]).toBeCloseTo((nb.model.bias[1]! + plain.model.bias[1]!) / 2, 6);
    expect(Array.from(both.model.weights)).not.toEqual(Array.from(nb.model.weights));
  });
});

describe('feature options for NB and redacted narratives', () => {
  test('binary counts each n-gram once', () => {
    const x = new Featurizer(opts({ binary: true })).transform('refund refund refund please');
    const mags = new Set(Array.from(x.values, (v) => Math.abs(v).toFixed(6)));
    expect(mags.size).toBe(1);
    const counted = new Featurizer(opts()).transform('refund refund refund please');
    expect(new Set(Array.from(counted.values, (v) => Math.abs(v).toFixed(6))).size).toBeGreaterThan(1);
  });

  test('enDropRedacted leaves out XXXX marks as if they were not there', () => {
    const f = new Featurizer(opts({ enDropRedacted: true }));
    const a = f.transform('On XX/XX/XXXX I called XXXX bank');
    const b = f.transform('On I called bank');
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    const kept = new Featurizer(opts()).transform('On XX/XX/XXXX I called XXXX bank');
    expect(kept.indices.length).toBeGreaterThan(a.indices.length);
    // Only marks made of x alone: "xbox" stays.
    expect(f.transform('my xbox').indices.length).toBeGreaterThan(f.transform('my').indices.length);
  });
});
