import { z } from 'zod';
import { isHan } from '../chars.ts';
import { tokenizeEn, type EnTokens } from '../en-tokenizer.ts';
import { cutZh } from '../zh-tokenizer.ts';
import { fmix, hashPair, hashString } from './hash.ts';

/** How text becomes a vector; saved with every model, since a model only understands its own features. */
export const FeatureOptionsSchema = z.object({
  /** log2 of the number of hash buckets (2^18 = 262,144). */
  bits: z.number().int().min(8).max(24),
  /** English word bigrams besides unigrams. */
  enBigrams: z.boolean(),
  /** Longest Chinese character n-gram: 1, 2 (default) or 3. */
  zhMaxN: z.number().int().min(1).max(3),
  /** jieba words for Chinese as well; off by default, segmentation costs 30–70 µs per text. */
  zhWords: z.boolean(),
  /** 1 + ln(count) instead of the raw count, so a repeated word does not drown the rest. */
  sublinearTf: z.boolean(),
  /**
   * Scale each bucket by its inverse document frequency on the training data (the weights travel
   * in the model file). Optional so that files written before it existed still load (as off).
   */
  idf: z.boolean().optional(),
  /** Bigrams of adjacent jieba words (needs zhWords). Optional: older files load as off. */
  zhWordBigrams: z.boolean().optional(),
  /**
   * Longest character n-gram inside English words (from 3; word edges marked), 0 or absent for
   * none: catches misspellings and inflections the stemmer misses. Optional: older files load as off.
   */
  enCharMaxN: z.number().int().min(0).max(6).optional(),
  /**
   * Polarity of English words in the sentiment lexicon as features of their own ("a negative word",
   * "a strongly positive word", flipped inside a negation scope), so rare words the lexicon knows
   * share what the common ones learn. Optional: older files load as off.
   */
  enLexicon: z.boolean().optional(),
  /**
   * Presence (1) instead of the count of each n-gram, before the L2 normalisation (sublinearTf
   * then has no effect): the binarised features of NBSVM. Optional: older files load as off.
   */
  binary: z.boolean().optional(),
  /**
   * Leave out English tokens made only of x's ("XXXX", "XX/XX/XXXX"): the marks that redacted
   * complaint narratives put in place of names, dates and account numbers. Optional: older files load as off.
   */
  enDropRedacted: z.boolean().optional(),
});
export type FeatureOptions = z.infer<typeof FeatureOptionsSchema>;

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { bits: 18, enBigrams: true, zhMaxN: 2, zhWords: false, sublinearTf: true };

/** An L2-normalised sparse vector: `values[i]` belongs to bucket `indices[i]`; indices are distinct. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

// One seed per feature kind, so "好" the character and "好" the word land in different buckets.
const EN_UNI = 0x1001, EN_NEG = 0x1002, EN_BI = 0x1003, ZH_UNI = 0x2001, ZH_BI = 0x2002, ZH_TRI = 0x2003, ZH_WORD = 0x2004, ZH_WORD_BI = 0x2005, EN_CHAR = 0x1007, EN_LEX = 0x1008, SYM = 0x3001, EN_STEM = 0x1004, EN_STEM_NEG = 0x1005, MENTION = 0x1006;

const URL_RE = /\b(?:https?:\/\/|www\.)\S+/gi;
/** Twitter handles and Weibo names (which may be Chinese) up to the next space or punctuation. */
const MENTION_RE = /@[^\s@:：,，。.!！?？;；()（）]+/g;
/** :) :-( ;D :P <3 — ASCII faces, which the word tokenizer drops. */
const EMOTICON_RE = /(?:[:;=]-?[()DPp/\\]|<3)(?![A-Za-z0-9])/g;
const EMOTICON_TEST = /[:;=]-?[()DPp/\\]|<3/;
const TOUCHED_ZERO = 1e-30;
/** A redaction mark, lower-cased by the tokenizer: "xx", "xxxx". */
const REDACTED_RE = /^x{2,}$/;
const NUM = hashString('xxnum', EN_UNI);

/**
 * Text → hashed bag of n-grams: English word unigrams (plus their stems) and bigrams, lower case and
 * marked as negated inside a negation scope; URLs and numbers as placeholders; a mention as a
 * placeholder in the text plus the handle as a feature of its own; Chinese character n-grams; and a
 * few symbols (! ? emoji, ASCII emoticons). Signed hashing keeps collisions from biasing any one bucket.
 */
export class Featurizer {
  readonly dim: number;
  private readonly mask: number;
  private readonly acc: Float32Array;
  private touched = new Int32Array(1024);
  private n = 0;

  /** Per-bucket IDF weights (length dim), or none. */
  readonly idf: Float32Array | undefined;

  constructor(readonly options: FeatureOptions = DEFAULT_FEATURE_OPTIONS, idf?: Float32Array) {
    this.dim = 1 << options.bits;
    this.mask = this.dim - 1;
    this.acc = new Float32Array(this.dim);
    if (idf && idf.length !== this.dim) throw new RangeError(`idf has ${idf.length} weights, the feature options give ${this.dim} features`);
    this.idf = idf;
  }

  /** `tokens`: tokenizeEn(text), when the caller already has them (used when no URL or mention rewrites the text). */
  transform(text: string, tokens?: EnTokens): SparseVector {
    this.n = 0;
    let t = text;
    if (t.includes('http') || t.includes('www.')) t = t.replace(URL_RE, ' xxurl ');
    if (t.includes('@')) {
      // Who is addressed says something too (one airline draws more anger than another).
      for (const m of t.matchAll(MENTION_RE)) this.add(hashString(m[0].toLowerCase(), MENTION));
      t = t.replace(MENTION_RE, ' xxuser ');
    }
    if (EMOTICON_TEST.test(t)) for (const m of t.matchAll(EMOTICON_RE)) this.add(hashString(m[0].replace('-', '').toUpperCase(), SYM));
    this.english(t, t === text ? tokens : undefined);
    this.chinese(t);
    return this.collect();
  }

  private add(h: number): void {
    const j = h & this.mask;
    // The sign comes from a bit the bucket number does not use (bits ≤ 24).
    const s = h < 0 ? -1 : 1;
    if (this.acc[j] === 0) {
      if (this.n === this.touched.length) {
        const bigger = new Int32Array(this.n * 2);
        bigger.set(this.touched);
        this.touched = bigger;
      }
      this.touched[this.n++] = j;
    }
    // A tiny stand-in for a sum that cancels to 0 keeps the bucket marked as touched.
    this.acc[j] = this.acc[j]! + s || TOUCHED_ZERO;
  }

  private english(text: string, given?: EnTokens): void {
    const tokens = given ?? tokenizeEn(text);
    const charMaxN = this.options.enCharMaxN ?? 0;
    const lexicon = this.options.enLexicon === true;
    const dropRedacted = this.options.enDropRedacted === true;
    let prev = 0;
    for (let i = 0; i < tokens.length; i++) {
      const lx = tokens.lex[i]!;
      const w = lx.word;
      const c = w.charCodeAt(0);
      if (dropRedacted && c === 0x78 && REDACTED_RE.test(w)) continue;
      const neg = tokens.negated(i);
      // The word's hashes depend on the word alone: worked out once per word type.
      const fh = lx.featureHashes ?? (lx.featureHashes = wordHashes(w, lx.stem, c));
      const h = neg ? fh[1]! : fh[0]!;
      this.add(h);
      if (fh[4] !== 0) this.add(neg ? fh[3]! : fh[2]!);
      if (this.options.enBigrams && !tokens.clauseStart(i)) this.add(hashPair(prev, h, EN_BI));
      prev = h;
      if (charMaxN >= 3 && w.length >= 2 && c > 0x39) this.charGrams(w, charMaxN);
      if (lexicon) {
        const v = tokens.lex[i]!.sentiment;
        if (v !== 0) {
          // Four polarity classes (weak/strong, positive/negative); negation flips the sign.
          const signed = neg ? -v : v;
          this.add(fmix((signed > 0 ? 1 : 3) + (Math.abs(v) >= 2.5 ? 1 : 0) ^ EN_LEX));
        }
      }
    }
  }

  /** Character n-grams of length 3…maxN of `w` with its edges marked, hashed without building substrings. */
  private charGrams(w: string, maxN: number): void {
    const len = w.length + 2; // the edge marks count as characters
    for (let s = 0; s + 3 <= len; s++) {
      let h = 0x811c9dc5 ^ EN_CHAR;
      for (let e = s; e < len && e - s < maxN; e++) {
        const code = e === 0 ? 0x02 : e === len - 1 ? 0x03 : w.charCodeAt(e - 1);
        h = Math.imul(h ^ code, 0x01000193);
        if (e - s >= 2) this.add(fmix(h));
      }
    }
  }

  private chinese(text: string): void {
    const maxN = this.options.zhMaxN;
    let p1 = -1, p2 = -1; // the previous two Han characters in the current run, or -1
    let hasHan = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (isHan(c)) {
        hasHan = true;
        this.add(fmix(c ^ ZH_UNI));
        if (maxN >= 2 && p1 >= 0) this.add(hashPair(p1, c, ZH_BI));
        if (maxN >= 3 && p2 >= 0) this.add(hashPair(hashPair(p2, p1, ZH_TRI), c, ZH_TRI));
        p2 = p1;
        p1 = c;
        continue;
      }
      p1 = p2 = -1;
      if (c === 0x21 || c === 0x3f || c === 0xff01 || c === 0xff1f) this.add(fmix((c === 0xff01 ? 0x21 : c === 0xff1f ? 0x3f : c) ^ SYM));
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) this.add(fmix(((c << 16) | text.charCodeAt(++i)) ^ SYM));
      else if (c >= 0x2600 && c <= 0x27bf) this.add(fmix(c ^ SYM));
    }
    if (hasHan && this.options.zhWords) {
      const bigrams = this.options.zhWordBigrams === true;
      let prev = 0;
      for (const w of cutZh(text)) {
        const h = hashString(w, ZH_WORD);
        if (w.length > 1) this.add(h);
        if (bigrams) {
          if (prev !== 0 && isHan(w.charCodeAt(0))) this.add(hashPair(prev, h, ZH_WORD_BI));
          prev = isHan(w.charCodeAt(w.length - 1)) ? h : 0;
        }
      }
    }
  }

  private collect(): SparseVector {
    const indices = new Int32Array(this.n);
    const values = new Float32Array(this.n);
    let m = 0;
    let norm = 0;
    for (let k = 0; k < this.n; k++) {
      const j = this.touched[k]!;
      let v = this.acc[j]!;
      this.acc[j] = 0;
      if (Math.abs(v) < 0.5) continue; // collisions cancelled out
      if (this.options.binary) v = Math.sign(v);
      else if (this.options.sublinearTf) v = Math.sign(v) * (1 + Math.log(Math.abs(v)));
      if (this.idf) v *= this.idf[j]!;
      indices[m] = j;
      values[m++] = v;
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < m; k++) values[k] = values[k]! * inv;
    return { indices: indices.subarray(0, m), values: values.subarray(0, m) };
  }
}

/**
 * The hashes a word type contributes: [unigram, negated unigram, stem, negated stem, has a stem
 * feature (0/1)]. Numbers share one placeholder.
 */
function wordHashes(w: string, stem: string, c: number): Int32Array {
  const uni = c >= 0x30 && c <= 0x39 ? NUM : hashString(w, EN_UNI);
  const hasStem = stem !== w && c > 0x39;
  return Int32Array.of(uni, hashPair(uni, 0, EN_NEG), hasStem ? hashString(stem, EN_STEM) : 0, hasStem ? hashString(stem, EN_STEM_NEG) : 0, hasStem ? 1 : 0);
}

/**
 * Smoothed inverse document frequency per bucket, ln((1 + N) / (1 + df)) + 1, from vectors made
 * without IDF: a bucket no document touched gets the largest weight, as a word never seen would.
 */
export function computeIdf(xs: readonly SparseVector[], dim: number): Float32Array {
  const df = new Uint32Array(dim);
  for (const x of xs) for (let i = 0; i < x.indices.length; i++) df[x.indices[i]!]!++;
  const idf = new Float32Array(dim);
  const n1 = 1 + xs.length;
  for (let j = 0; j < dim; j++) idf[j] = Math.log(n1 / (1 + df[j]!)) + 1;
  return idf;
}

/** Scale an L2-normalised vector by `idf` in place and normalise it again: the same as featurizing with `idf`. */
export function applyIdf(x: SparseVector, idf: Float32Array): SparseVector {
  let norm = 0;
  for (let i = 0; i < x.indices.length; i++) {
    const v = x.values[i]! * idf[x.indices[i]!]!;
    x.values[i] = v;
    norm += v * v;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < x.values.length; i++) x.values[i] = x.values[i]! * inv;
  return x;
}
