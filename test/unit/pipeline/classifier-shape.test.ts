import { describe, expect, test } from 'vitest';
import { DEFAULT_FEATURE_OPTIONS, Featurizer, FeatureOptionsSchema, fromModelFile, toModelFile, trainClassifier, type Example, type FeatureOptions, type SparseVector } from '../../../pipeline/nlp/classifier/index.ts';
import { mulberry32 } from '../../../pipeline/nlp/classifier/hash.ts';

const opts = (o: Partial<FeatureOptions> = {}): FeatureOptions => ({ ...DEFAULT_FEATURE_OPTIONS, bits: 16, ...o });
const keys = (x: SparseVector) => Array.from(x.indices).sort((a, b) => a - b);

/** Two classes with the same words, told apart only by their marks: "～" between clauses, or "。". */
function markedExamples(n: number, seed: number): Example[] {
  const words = ['东西', '收到', '还行', '快递', '包装', '价格', '质量', '颜色', '尺寸', '客服'];
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = i % 2 === 0 ? 'a' : 'b';
    const clauses = Array.from({ length: 3 }, () => words[Math.floor(r() * words.length)]! + words[Math.floor(r() * words.length)]!);
    return { text: clauses.join(label === 'a' ? '～' : '。'), label };
  });
}

describe('shape features', () => {
  test('off when absent: files written before the option featurize as they did', () => {
    expect(FeatureOptionsSchema.parse({ bits: 18, enBigrams: true, zhMaxN: 2, zhWords: false, sublinearTf: true }).shape).toBeUndefined();
    const text = '质量很好，发货很快～ 5分好评 OK';
    const before = new Featurizer(opts()).transform(text);
    const off = new Featurizer(opts({ shape: false })).transform(text);
    expect(Array.from(off.indices)).toEqual(Array.from(before.indices));
    expect(Array.from(off.values)).toEqual(Array.from(before.values));
  });

  test('marks and length make features; the Han characters themselves do not change them', () => {
    const plain = new Featurizer(opts());
    const shape = new Featurizer(opts({ shape: true }));
    // Without shape features, "，" and "。" are both ignored; with them, the two texts differ.
    expect(keys(plain.transform('很好，很快'))).toEqual(keys(plain.transform('很好。很快')));
    expect(keys(shape.transform('很好，很快'))).not.toEqual(keys(shape.transform('很好。很快')));
    // Same length and marks, other characters: the shape part is the same.
    const extra = (text: string) => {
      const base = new Set(plain.transform(text).indices);
      return keys(shape.transform(text)).filter((j) => !base.has(j));
    };
    expect(extra('很好，很快')).toEqual(extra('不错，真香'));
    expect(extra('一二，三四')).toEqual(extra('不错，真香'));
    // A much longer text falls in another length bucket.
    expect(extra('不错，真香')).not.toEqual(extra('不错不错不错不错不错，真香真香真香真香真香'));
  });

  test('a model learns what only the marks tell, and its file keeps the option', () => {
    const train = markedExamples(200, 3);
    const test = markedExamples(100, 11);
    const accuracy = (featureOptions: Partial<FeatureOptions>) => {
      const clf = trainClassifier(train, { task: 'topic', featureOptions: { bits: 14, ...featureOptions }, now: () => new Date(0) });
      return { clf, acc: test.filter((e) => clf.predictLabel(e.text) === e.label).length / test.length };
    };
    expect(accuracy({}).acc).toBeLessThan(0.7);
    const { clf, acc } = accuracy({ shape: true });
    expect(acc).toBeGreaterThanOrEqual(0.98);
    const loaded = fromModelFile(JSON.parse(JSON.stringify(toModelFile(clf))));
    expect(loaded.featureOptions.shape).toBe(true);
    for (const e of test.slice(0, 10)) expect(Array.from(loaded.probabilities(e.text))).toEqual(Array.from(clf.probabilities(e.text)));
  });
});
