import { describe, expect, test } from 'vitest';
import { applyIdf, computeIdf, Featurizer } from '../../../../pipeline/nlp/classifier/index.ts';

const f = new Featurizer({ bits: 18, enBigrams: true, zhMaxN: 2, zhWords: false, sublinearTf: true });
const sorted = (text: string) => {
  const v = f.transform(text);
  return [...v.indices].map((j, i) => [j, v.values[i]!] as const).sort((a, b) => a[0] - b[0]);
};

describe('Featurizer', () => {
  test('gives an L2-normalised vector of distinct buckets within the dimension', () => {
    const v = f.transform('Great flight, great crew! 服务很好 😀');
    expect(new Set(v.indices).size).toBe(v.indices.length);
    for (const j of v.indices) expect(j).toBeLessThan(f.dim);
    const norm = Math.sqrt([...v.values].reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 5);
  });

  test('should replace urls and numbers with placeholders', () => {
    expect(sorted('flight 123 late http://t.co/abc')).toEqual(sorted('flight 9 late https://example.com/x?y=1'));
  });

  test('should keep a mention as one feature of its own beside the placeholder', () => {
    const a = sorted('@united flight late').map((e) => e[0]);
    const b = sorted('@delta flight late').map((e) => e[0]);
    expect(a.length).toBe(b.length);
    expect(a.filter((j) => !b.includes(j))).toHaveLength(1);
  });

  test('should count ASCII emoticons', () => {
    expect(sorted('late again :(')).not.toEqual(sorted('late again :)'));
    expect(sorted('late again :-(')).toEqual(sorted('late again :('));
  });

  test('should tell a negated word from the plain one', () => {
    expect(sorted('not good')).not.toEqual(sorted('good'));
    expect(sorted("isn't good").map((e) => e[0])).not.toContain(sorted('good')[0]![0]);
  });

  test('should use Chinese character unigrams and bigrams', () => {
    expect(f.transform('很好').indices.length).toBe(3);
    expect(f.transform('很好，不错').indices.length).toBe(6);
  });

  test('gives an empty vector for text without features', () => {
    expect(f.transform('   ').indices.length).toBe(0);
  });

  test('is the same when called again (the scratch buffer is reset)', () => {
    const a = sorted('the service was bad, not good at all');
    f.transform('另一段文字 something else');
    expect(sorted('the service was bad, not good at all')).toEqual(a);
  });

  test('gives the same vector in its reused buffers as in fresh ones, whatever came before', () => {
    const texts = ['@united late again :( http://t.co/x', '@日本http://x.com 很好 :)', 'caféhttp://x.com closed', '@@bob not bad', '好'.repeat(2000)];
    const fresh = texts.map((t) => sorted(t));
    for (const t of [...texts].reverse()) f.transformTransient(t);
    texts.forEach((t, i) => {
      const v = f.transformTransient(t);
      expect([...v.indices].map((j, k) => [j, v.values[k]!] as const).sort((a, b) => a[0] - b[0])).toEqual(fresh[i]);
    });
  });

  test('should weigh buckets by IDF: rarer buckets weigh more, and rescaling equals featurizing with it', () => {
    const g = new Featurizer({ bits: 12, enBigrams: true, zhMaxN: 2, zhWords: false, sublinearTf: true });
    const docs = ['the flight was late', 'the crew was kind', 'the food was cold', 'great crew 服务很好'];
    const idf = computeIdf(docs.map((d) => g.transform(d)), g.dim);
    const the = g.transform('the').indices[0]!;
    const late = g.transform('late').indices[0]!;
    expect(idf[late]!).toBeGreaterThan(idf[the]!);
    expect(idf[the]).toBeCloseTo(Math.log(5 / 4) + 1, 6); // in 3 of 4 documents
    const withIdf = new Featurizer(g.options, idf);
    for (const d of docs) {
      const a = withIdf.transform(d);
      const b = applyIdf(g.transform(d), idf);
      expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
      a.values.forEach((v, i) => expect(v).toBeCloseTo(b.values[i]!, 6));
      expect(Math.hypot(...a.values)).toBeCloseTo(1, 5);
    }
    expect(() => new Featurizer(g.options, new Float32Array(10))).toThrow(RangeError);
  });
});
