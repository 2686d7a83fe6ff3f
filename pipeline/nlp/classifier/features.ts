import { z } from 'zod';
import { isHan, isWhitespace, lowerAscii } from '../chars.ts';
import { tokenizeEnTransient, withPlaceholdersTransient, type EnTokens, type Placeholder } from '../en-tokenizer.ts';
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
  /**
   * The shape of the text as features: its length (in quarter octaves) and its marks, alone and
   * beside the kind of character around them (Han, Latin letter, digit, space, mark). Reviews from
   * different shops or sites differ in length and punctuation as much as in words. Optional: older files load as off.
   */
  shape: z.boolean().optional(),
  /**
   * Longest character n-gram of the whole text (from 2, across word boundaries, A–Z lowered, each
   * URL and mention read as one mark, a run of spaces as one), 0 or absent for none: how a text is
   * written ("!!", "?!", "u r", "cc") as much as which words it uses. Optional: older files load as off.
   */
  textCharMaxN: z.number().int().min(0).max(6).refine((n) => n !== 1, 'must be 0 (none) or 2–6: n-grams start at 2 characters').optional(),
  /**
   * The text's character n-grams (textCharMaxN) and nothing else: no words, Han n-grams, symbols or
   * handles. A second view of the text, for a model that joins one trained on words. Optional: older files load as off.
   */
  charsOnly: z.boolean().optional(),
});
export type FeatureOptions = z.infer<typeof FeatureOptionsSchema>;

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { bits: 18, enBigrams: true, zhMaxN: 2, zhWords: false, sublinearTf: true };

/** An L2-normalised sparse vector: `values[i]` belongs to bucket `indices[i]`; indices are distinct. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

// One seed per feature kind, so "好" the character and "好" the word land in different buckets.
const EN_UNI = 0x1001, EN_NEG = 0x1002, EN_BI = 0x1003, ZH_UNI = 0x2001, ZH_BI = 0x2002, ZH_TRI = 0x2003, ZH_WORD = 0x2004, ZH_WORD_BI = 0x2005, EN_CHAR = 0x1007, TEXT_CHAR = 0x1009, EN_LEX = 0x1008, SYM = 0x3001, EN_STEM = 0x1004, EN_STEM_NEG = 0x1005, MENTION = 0x1006, SHAPE_MARK = 0x3101, SHAPE_PAIR = 0x3102, SHAPE_LEN = 0x3204;

const URL_RE = /\b(?:https?:\/\/|www\.)\S+/gi;
/** :) :-( ;D :P <3 — ASCII faces, which the word tokenizer drops. */
const EMOTICON_RE = /(?:[:;=]-?[()DPp/\\]|<3)(?![A-Za-z0-9])/g;
const EMOTICON_TEST = /[:;=]-?[()DPp/\\]|<3/;
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
  /**
   * The counts of the buckets this text touched, in first-touch order, found through a small
   * open-addressing table keyed by bucket: a text touches a few hundred buckets, and a dense
   * accumulator of 2^18–2^20 counts took a cache miss on nearly every feature.
   */
  private touched = new Int32Array(1024);
  private counts = new Int32Array(1024);
  /** The slot of each bucket in `touched`, so the table is cleared without a pass over all of it. */
  private slotOf = new Int32Array(1024);
  /** Per slot: 1 + the position of its bucket in `touched`, or 0 when free. Twice `touched`'s size. */
  private slots = new Int32Array(2048);
  private slotMask = 2047;
  private n = 0;
  /** The buffers of transformTransient's vectors. */
  private outIndices = new Int32Array(1024);
  private outValues = new Float32Array(1024);
  /** transformTransient's vectors by length: views of the buffers, made once per length rather than twice per text. */
  private outViews = new Array<SparseVector | undefined>(1024 + 1);

  /** Per-bucket IDF weights (length dim), or none. */
  readonly idf: Float32Array | undefined;

  constructor(readonly options: FeatureOptions = DEFAULT_FEATURE_OPTIONS, idf?: Float32Array) {
    this.dim = 1 << options.bits;
    this.mask = this.dim - 1;
    if (idf && idf.length !== this.dim) throw new RangeError(`idf has ${idf.length} weights, the feature options give ${this.dim} features`);
    if (options.charsOnly === true && !((options.textCharMaxN ?? 0) >= 2)) throw new RangeError('charsOnly needs textCharMaxN of 2 or more: without it no text has any feature');
    this.idf = idf;
  }

  /** `tokens`: tokenizeEn(text), when the caller already has them (with URLs and mentions, the tokens of the rewritten text are derived from them). */
  transform(text: string, tokens?: EnTokens): SparseVector {
    this.featurize(text, tokens);
    return this.collect(false);
  }

  /**
   * transform(text, tokens) in buffers this featurizer reuses: read only, and valid until its next
   * call. For scoring, where the vector is used at once; one allocation fewer per text.
   */
  transformTransient(text: string, tokens?: EnTokens): SparseVector {
    this.featurize(text, tokens);
    return this.collect(true);
  }

  /**
   * The features of the text with each URL read as " xxurl " and each mention as " xxuser ". The
   * rewritten text itself is built only for what needs a string (emoticons, jieba); tokens and
   * character n-grams skip the spans instead.
   */
  private featurize(text: string, tokens?: EnTokens): void {
    this.n = 0;
    const spans = placeholderSpans(text);
    const charMaxN = this.options.textCharMaxN ?? 0;
    if (this.options.charsOnly === true) return this.textChars(text, spans, charMaxN);
    // Who is addressed says something too (one airline draws more anger than another).
    for (const p of spans) if (p.word === MENTION_WORD) this.add(mentionHash(text, p.start, p.end));
    // A face in the rewritten text is a face in the text too (spans become words between spaces).
    let rewritten: string | undefined;
    if (EMOTICON_TEST.test(text)) {
      rewritten = rewrite(text, spans);
      for (const m of rewritten.matchAll(EMOTICON_RE)) this.add(hashString(m[0].replace('-', '').toUpperCase(), SYM));
    }
    // Tokens made here are read at once: they stay in the tokenizer's buffers.
    if (spans.length === 0) this.english(tokens ?? tokenizeEnTransient(text));
    else this.english(tokens !== undefined ? withPlaceholdersTransient(tokens, text, spans) : tokenizeEnTransient(text, spans));
    this.chinese(text, spans, rewritten);
    if (this.options.shape === true) this.shape(text);
    if (charMaxN >= 2) this.textChars(text, spans, charMaxN);
  }

  /** The text as textChars reads it: character codes with A–Z lowered, one space per run, a mark per span. */
  private codes = new Int32Array(512);

  /** See FeatureOptions.textCharMaxN: the text as codes, then its n-grams of 2…maxN, hashed without building substrings. */
  private textChars(text: string, spans: readonly Placeholder[], maxN: number): void {
    // A span of two characters ("@a") becomes three codes (space, mark, space).
    if (this.codes.length < 2 * text.length + 2) this.codes = new Int32Array(2 * text.length + 2);
    const codes = this.codes;
    let n = 0;
    let next = 0;
    const space = () => {
      if (n > 0 && codes[n - 1] !== 0x20) codes[n++] = 0x20;
    };
    for (let i = 0; i < text.length; i++) {
      if (next < spans.length && i === spans[next]!.start) {
        space();
        codes[n++] = spans[next]!.word === URL_WORD ? 0x01 : 0x04;
        codes[n++] = 0x20;
        i = spans[next++]!.end - 1;
        continue;
      }
      const c = text.charCodeAt(i);
      if (isWhitespace(c)) space();
      else codes[n++] = lowerAscii(c);
    }
    for (let s = 0; s + 2 <= n; s++) {
      let h = 0x811c9dc5 ^ TEXT_CHAR;
      for (let e = s; e < n && e - s < maxN; e++) {
        h = Math.imul(h ^ codes[e]!, 0x01000193);
        if (e > s) this.add(fmix(h));
      }
    }
  }

  /** See FeatureOptions.shape. */
  private shape(text: string): void {
    this.add(fmix(Math.floor(4 * Math.log2(1 + text.length)) ^ SHAPE_LEN));
    let prev = 0x20; // the text starts as if after a space
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const k = charKind(c);
      if (k === c && c !== 0x20) this.add(fmix(c ^ SHAPE_MARK)); // a mark
      if (!(k === HAN_KIND && prev === HAN_KIND)) this.add(hashPair(prev, k, SHAPE_PAIR));
      prev = k;
    }
  }

  private add(h: number): void {
    const j = h & this.mask;
    // The sign comes from a bit the bucket number does not use (bits ≤ 24).
    const s = h < 0 ? -1 : 1;
    const slots = this.slots;
    const m = this.slotMask;
    // Bucket numbers are low bits of a mixed hash: already well spread.
    for (let i = j & m; ; i = (i + 1) & m) {
      const at = slots[i]!;
      if (at === 0) {
        if (this.n === this.touched.length) return this.grow(h);
        slots[i] = this.n + 1;
        this.slotOf[this.n] = i;
        this.touched[this.n] = j;
        this.counts[this.n++] = s;
        return;
      }
      if (this.touched[at - 1] === j) {
        this.counts[at - 1] = this.counts[at - 1]! + s;
        return;
      }
    }
  }

  /** Double the buffers (the table stays under half full), then add `h`. */
  private grow(h: number): void {
    const size = this.touched.length * 2;
    const touched = new Int32Array(size);
    touched.set(this.touched);
    const counts = new Int32Array(size);
    counts.set(this.counts);
    this.touched = touched;
    this.counts = counts;
    this.slotOf = new Int32Array(size);
    this.slots = new Int32Array(size * 2);
    this.slotMask = size * 2 - 1;
    for (let k = 0; k < this.n; k++) {
      let i = touched[k]! & this.slotMask;
      while (this.slots[i] !== 0) i = (i + 1) & this.slotMask;
      this.slots[i] = k + 1;
      this.slotOf[k] = i;
    }
    this.add(h);
  }

  private english(tokens: EnTokens): void {
    const charMaxN = this.options.enCharMaxN ?? 0;
    const lexicon = this.options.enLexicon === true;
    const dropRedacted = this.options.enDropRedacted === true;
    const bigrams = this.options.enBigrams;
    const lex = tokens.lex;
    const n = tokens.length;
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const lx = lex[i]!;
      const w = lx.word;
      const c = w.charCodeAt(0);
      if (dropRedacted && c === 0x78 && REDACTED_RE.test(w)) continue;
      const neg = tokens.negated(i);
      // The word's hashes depend on the word alone: worked out once per word type.
      const fh = lx.featureHashes ?? (lx.featureHashes = wordHashes(w, lx.stem, c));
      const h = neg ? fh[1]! : fh[0]!;
      this.add(h);
      if (fh[4] !== 0) this.add(neg ? fh[3]! : fh[2]!);
      if (bigrams && !tokens.clauseStart(i)) this.add(hashPair(prev, h, EN_BI));
      prev = h;
      if (charMaxN >= 3 && w.length >= 2 && c > 0x39) this.charGrams(w, charMaxN);
      if (lexicon) {
        const v = lx.sentiment;
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

  /** Han n-grams and symbols of the text, each span read as a placeholder word (which has none). `rewritten`: rewrite(text, spans), if made already. */
  private chinese(text: string, spans: readonly Placeholder[], rewritten: string | undefined): void {
    const maxN = this.options.zhMaxN;
    let p1 = -1, p2 = -1; // the previous two Han characters in the current run, or -1
    let hasHan = false;
    let next = 0;
    let limit = spans.length > 0 ? spans[0]!.start : text.length;
    for (let i = 0; i < text.length; i++) {
      if (i === limit) {
        p1 = p2 = -1;
        i = spans[next++]!.end - 1;
        limit = next < spans.length ? spans[next]!.start : text.length;
        continue;
      }
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
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        // A placeholder starting next reads as its leading space.
        const low = i + 1 === limit ? 0x20 : text.charCodeAt(i + 1);
        if (i + 1 !== limit) i++;
        this.add(fmix(((c << 16) | low) ^ SYM));
      } else if (c >= 0x2600 && c <= 0x27bf) this.add(fmix(c ^ SYM));
    }
    if (hasHan && this.options.zhWords) {
      const bigrams = this.options.zhWordBigrams === true;
      let prev = 0;
      for (const w of cutZh(rewritten ?? rewrite(text, spans))) {
        const h = hashString(w, ZH_WORD);
        if (w.length > 1) this.add(h);
        if (bigrams) {
          if (prev !== 0 && isHan(w.charCodeAt(0))) this.add(hashPair(prev, h, ZH_WORD_BI));
          prev = isHan(w.charCodeAt(w.length - 1)) ? h : 0;
        }
      }
    }
  }

  private collect(transient: boolean): SparseVector {
    let indices: Int32Array;
    let values: Float32Array;
    if (transient) {
      if (this.outIndices.length < this.n) {
        this.outIndices = new Int32Array(this.touched.length);
        this.outValues = new Float32Array(this.touched.length);
        this.outViews = new Array<SparseVector | undefined>(this.touched.length + 1);
      }
      indices = this.outIndices;
      values = this.outValues;
    } else {
      indices = new Int32Array(this.n);
      values = new Float32Array(this.n);
    }
    let m = 0;
    let norm = 0;
    const counts = this.counts;
    const touched = this.touched;
    const idf = this.idf;
    const weight = this.options.binary ? Math.sign : this.options.sublinearTf ? sublinear : identity;
    for (let k = 0; k < this.n; k++) {
      const c = counts[k]!;
      if (c === 0) continue; // collisions cancelled out
      const j = touched[k]!;
      // Most buckets are touched once: every weighting leaves ±1 as it is.
      let v = c === 1 || c === -1 ? c : weight(c);
      if (idf) v *= idf[j]!;
      indices[m] = j;
      values[m++] = v;
      norm += v * v;
    }
    for (let k = 0; k < this.n; k++) this.slots[this.slotOf[k]!] = 0;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < m; k++) values[k] = values[k]! * inv;
    if (transient) return (this.outViews[m] ??= { indices: indices.subarray(0, m), values: values.subarray(0, m) });
    return { indices: indices.subarray(0, m), values: values.subarray(0, m) };
  }
}

/** FeatureOptions.sublinearTf's weight of a count: 1 + ln|c|, with the count's sign. */
function sublinear(c: number): number {
  return Math.sign(c) * (1 + Math.log(Math.abs(c)));
}

function identity(c: number): number {
  return c;
}

const URL_WORD = 'xxurl';
const MENTION_WORD = 'xxuser';
const NO_SPANS: readonly Placeholder[] = [];

const HAN_KIND = -1, DIGIT_KIND = -2, LATIN_KIND = -3;

/** For FeatureOptions.shape: one code per kind (any Han character, digit, Latin letter), any other character itself. */
function charKind(c: number): number {
  if (isHan(c)) return HAN_KIND;
  if (c >= 0x30 && c <= 0x39) return DIGIT_KIND;
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ? LATIN_KIND : c;
}

/**
 * Where `text.replace(URL_RE, ' xxurl ').replace(/@[^\s@:：,，。.!！?？;；()（）]+/g, ' xxuser ')` puts a
 * placeholder, in text order: a mention is a Twitter handle or Weibo name (which may be Chinese) up to
 * the next space or punctuation. A mention ends where a URL starts (the URL's leading space ends it), and none starts inside one.
 */
function placeholderSpans(text: string): readonly Placeholder[] {
  const hasUrl = text.includes('http') || text.includes('www.');
  if (!hasUrl && !text.includes('@')) return NO_SPANS;
  const urls: Placeholder[] = [];
  if (hasUrl) {
    URL_RE.lastIndex = 0;
    for (let m = URL_RE.exec(text); m !== null; m = URL_RE.exec(text)) urls.push({ start: m.index, end: m.index + m[0].length, word: URL_WORD });
  }
  if (!text.includes('@')) return urls;
  const spans: Placeholder[] = [];
  let u = 0;
  for (let i = text.indexOf('@'); i >= 0; i = text.indexOf('@', i)) {
    while (u < urls.length && urls[u]!.end <= i) spans.push(urls[u++]!);
    if (u < urls.length && urls[u]!.start <= i) {
      // Inside a URL: gone with it.
      i = urls[u]!.end;
      continue;
    }
    const limit = u < urls.length ? urls[u]!.start : text.length;
    let end = i + 1;
    while (end < limit && !endsMention(text.charCodeAt(end))) end++;
    if (end > i + 1) spans.push({ start: i, end, word: MENTION_WORD });
    i = end;
  }
  while (u < urls.length) spans.push(urls[u++]!);
  return spans;
}

/** Whitespace (as `\s` in a regular expression) and the punctuation that ends a mention. */
function endsMention(c: number): boolean {
  switch (c) {
    case 0x40: case 0x3a: case 0xff1a: case 0x2c: case 0xff0c: case 0x3002: case 0x2e: case 0x21: case 0xff01:
    case 0x3f: case 0xff1f: case 0x3b: case 0xff1b: case 0x28: case 0x29: case 0xff08: case 0xff09:
      return true;
    default:
      return isWhitespace(c);
  }
}

/** hashString(text.slice(start, end).toLowerCase(), MENTION), without the copies for an ASCII handle. */
function mentionHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5 ^ MENTION;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return hashString(text.slice(start, end).toLowerCase(), MENTION);
    h = Math.imul(h ^ lowerAscii(c), 0x01000193);
  }
  return fmix(h);
}

/** The text with each span replaced by " word ". */
function rewrite(text: string, spans: readonly Placeholder[]): string {
  if (spans.length === 0) return text;
  let out = '';
  let from = 0;
  for (const p of spans) {
    out += text.slice(from, p.start) + ' ' + p.word + ' ';
    from = p.end;
  }
  return out + text.slice(from);
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
