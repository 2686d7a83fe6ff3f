import { describe, expect, test } from 'vitest';
import { DEFAULT_FEATURE_OPTIONS, Featurizer, FeatureOptionsSchema, type FeatureOptions, type SparseVector } from '../../../pipeline/nlp/classifier/index.ts';

const opts = (o: Partial<FeatureOptions> = {}): FeatureOptions => ({ ...DEFAULT_FEATURE_OPTIONS, bits: 20, ...o });
const keys = (x: SparseVector) => Array.from(x.indices).sort((a, b) => a - b);
const chars = (maxN: number) => new Featurizer(opts({ textCharMaxN: maxN, charsOnly: true }));

describe('character n-grams of the whole text', () => {
  test('off when absent: files written before the options featurize as they did', () => {
    const parsed = FeatureOptionsSchema.parse({ bits: 18, enBigrams: true, zhMaxN: 2, zhWords: false, sublinearTf: true });
    expect(parsed.textCharMaxN).toBeUndefined();
    expect(parsed.charsOnly).toBeUndefined();
    const text = '@Airline you lost my bag!! https://t.co/x 太差了';
    const before = new Featurizer(opts()).transform(text);
    const off = new Featurizer(opts({ textCharMaxN: 0 })).transform(text);
    expect(Array.from(off.indices)).toEqual(Array.from(before.indices));
    expect(Array.from(off.values)).toEqual(Array.from(before.values));
  });

  test('one feature per distinct pair: case and runs of spaces do not matter, order does', () => {
    // "abab": ab, ba, ab → two distinct pairs, "ab" counted twice.
    expect(chars(2).transform('abab').indices.length).toBe(2);
    expect(keys(chars(2).transform('Hello  World'))).toEqual(keys(chars(2).transform('hello world')));
    expect(keys(chars(2).transform('ab'))).not.toEqual(keys(chars(2).transform('ba')));
    // Pairs and triples: "abc" gives ab, bc, abc.
    expect(chars(3).transform('abc').indices.length).toBe(3);
    expect(chars(2).transform('a').indices.length).toBe(0);
  });

  test('reads across words and keeps punctuation: "!!" and "?!" are features', () => {
    const c = chars(2);
    const calm = new Set(c.transform('you lost my bag').indices);
    const loud = keys(c.transform('you lost my bag!!')).filter((j) => !calm.has(j));
    expect(loud.length).toBe(2); // "g!" and "!!"
    expect(keys(c.transform('u r'))).toEqual(keys(c.transform('U  R')));
  });

  test('every URL reads as one mark and every handle as another, whatever they say', () => {
    const c = chars(3);
    expect(keys(c.transform('see https://t.co/abc now'))).toEqual(keys(c.transform('see http://example.com/long/path now')));
    expect(keys(c.transform('@BrandHelp fix it'))).toEqual(keys(c.transform('@other fix it')));
    expect(keys(c.transform('@BrandHelp fix it'))).not.toEqual(keys(c.transform('https://x.io fix it')));
  });

  test('charsOnly leaves out words, Han n-grams, symbols and handles; without it the pairs come on top of them', () => {
    const text = '@Brand scam!! 骗子 :(';
    const words = new Set(new Featurizer(opts()).transform(text).indices);
    const only = keys(chars(2).transform(text));
    const both = keys(new Featurizer(opts({ textCharMaxN: 2 })).transform(text));
    expect(only.some((j) => words.has(j))).toBe(false);
    expect(both).toEqual([...new Set([...words, ...only])].sort((a, b) => a - b));
  });

  test('options that would give no features are refused, naming why', () => {
    const r = FeatureOptionsSchema.safeParse({ ...DEFAULT_FEATURE_OPTIONS, textCharMaxN: 1 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['textCharMaxN'], message: expect.stringMatching(/0 \(none\) or 2–6/) });
    expect(() => new Featurizer(opts({ charsOnly: true }))).toThrow(/charsOnly needs textCharMaxN of 2 or more/);
  });

  test('a text of spaces, or of links and handles only, gives only the marks and spaces it has', () => {
    expect(chars(3).transform('   \t\n  ').indices.length).toBe(0);
    const links = chars(2).transform('https://a.io/x   @b');
    // "<url> ", " <mention>", "<mention> " (the text starts with the link), nothing of what they say.
    expect(links.indices.length).toBe(3);
  });

  test('a text of many short handles fits the buffer it grows', () => {
    const text = Array.from({ length: 400 }, (_, i) => `@${String.fromCharCode(97 + (i % 26))}`).join('');
    const x = chars(2).transform(text);
    // Each handle becomes " <mark> ": the pairs are " <mark>", "<mark> " and nothing else.
    expect(x.indices.length).toBe(2);
  });
});
