import { describe, expect, test } from 'vitest';
import { tokenizeEn } from '../../../pipeline/nlp/en-tokenizer.ts';
import { DEFAULT_FEATURE_OPTIONS, Featurizer, FeatureOptionsSchema, type FeatureOptions, type SparseVector } from '../../../pipeline/nlp/classifier/index.ts';

const opts = (o: Partial<FeatureOptions> = {}): FeatureOptions => ({ ...DEFAULT_FEATURE_OPTIONS, bits: 16, ...o });
const asMap = (x: SparseVector) => new Map(Array.from(x.indices, (j, i) => [j, x.values[i]!] as const));
const same = (a: SparseVector, b: SparseVector) => {
  expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
  expect(Array.from(a.values)).toEqual(Array.from(b.values));
};

describe('feature options added over time', () => {
  test('files written before the new options parse, with every new option off', () => {
    const parsed = FeatureOptionsSchema.parse({ bits: 18, enBigrams: true, zhMaxN: 2, zhWords: false, sublinearTf: true });
    expect(parsed.enLexicon).toBeUndefined();
    expect(parsed.enCharMaxN).toBeUndefined();
    expect(parsed.zhWordBigrams).toBeUndefined();
    const text = 'The delayed flight was not great @united 服务很好';
    same(new Featurizer(opts()).transform(text), new Featurizer(opts({ enLexicon: false, enCharMaxN: 0, zhWordBigrams: false })).transform(text));
  });

  test('enLexicon adds polarity features, flipped by negation', () => {
    const plain = new Featurizer(opts());
    const lex = new Featurizer(opts({ enLexicon: true }));
    const extra = (text: string) => {
      const a = asMap(plain.transform(text));
      return [...asMap(lex.transform(text)).keys()].filter((j) => !a.has(j));
    };
    const good = extra('the crew was great');
    const notGood = extra('the crew was not great');
    const bad = extra('the crew was terrible');
    expect(good).toHaveLength(1);
    expect(extra('the crew was here')).toHaveLength(0);
    // "not great" lands where negative words do; "great" does not.
    expect(notGood).not.toEqual(good);
    expect(extra('the crew was not good')).toEqual(extra('the crew was slow')); // both weakly negative
    expect(bad).toHaveLength(1);
  });

  test('enCharMaxN adds in-word character n-grams, so misspellings share features', () => {
    const chars = new Featurizer(opts({ enCharMaxN: 4 }));
    const plain = new Featurizer(opts());
    expect(chars.transform('cancelled').indices.length).toBeGreaterThan(plain.transform('cancelled').indices.length);
    const a = asMap(chars.transform('cancelled'));
    const shared = [...asMap(chars.transform('canceled')).keys()].filter((j) => a.has(j));
    expect(shared.length).toBeGreaterThan(3);
    // Words alone would share nothing.
    const p = asMap(plain.transform('cancelled'));
    expect([...asMap(plain.transform('canceled')).keys()].filter((j) => p.has(j))).toHaveLength(0);
  });

  test('zhWordBigrams adds bigrams of jieba words; without zhWords it changes nothing', () => {
    const text = '这家酒店的服务态度非常好';
    const words = new Featurizer(opts({ zhWords: true })).transform(text);
    const bigrams = new Featurizer(opts({ zhWords: true, zhWordBigrams: true })).transform(text);
    expect(bigrams.indices.length).toBeGreaterThan(words.indices.length);
    same(new Featurizer(opts({ zhWordBigrams: true })).transform(text), new Featurizer(opts()).transform(text));
  });

  test('the same text gives the same vector every time, with word hashes cached per word type', () => {
    const f = new Featurizer(opts({ enLexicon: true, enCharMaxN: 5 }));
    const text = "Not happy: my bag didn't arrive and the agent was rude. Thanks anyway :)";
    const first = f.transform(text);
    for (let i = 0; i < 3; i++) same(f.transform(text), first);
    same(new Featurizer(opts({ enLexicon: true, enCharMaxN: 5 })).transform(text), first);
  });

  test('tokens the caller already has give the same vector as tokenizing again', () => {
    const f = new Featurizer(opts({ enLexicon: true }));
    for (const text of ["The agent wasn't helpful, 2 hours on hold!", '@delta see https://t.co/x it is late', '服务很好 but slow']) {
      same(f.transform(text, tokenizeEn(text)), f.transform(text));
    }
  });

  test('the handle of a mention is a feature whatever its case, ASCII or not', () => {
    const f = new Featurizer(opts());
    same(f.transform('@UnitedAir thanks'), f.transform('@unitedair thanks'));
    same(f.transform('@ÄrgerBÜRO danke'), f.transform('@ärgerbüro danke'));
    expect(asMap(f.transform('@united thanks'))).not.toEqual(asMap(f.transform('@delta thanks')));
  });

  test('transient vectors match owned ones, also when a shorter vector follows a longer one', () => {
    const f = new Featurizer(opts({ enLexicon: true }));
    const texts = ['@delta the flight was late and the crew was rude, never again!', 'ok', '服务很好 but slow', 'ok'];
    for (const text of texts) {
      const owned = f.transform(text);
      const view = f.transformTransient(text);
      same(view, owned);
    }
  });
});
