import { isCjk, isHan, isLatinWordChar } from './chars.ts';

/**
 * MinHash-LSH band keys for near-duplicate detection (reposts with a few words changed,
 * copy-paste campaigns with a name swapped). Texts are cut into units — a Latin-script word or a
 * single Han character — and shingled: word pairs, or Han character triples.
 *
 * Each band is its own one-permutation MinHash sketch of ROWS bins under its own hash function:
 * a shingle is hashed once per band and lands in one of the band's bins, which keeps the minimum.
 * Bands are independent, so two texts share at least one band key with probability
 * ≈ 1 − (1 − J^ROWS)^BANDS for Jaccard similarity J (checked in the unit tests):
 *   J = 0.85 → ≈100%, 0.75 → 94%, 0.65 → 63%, 0.5 → 15%, 0.3 → 0.4%, 0.2 → 0.03%.
 * This costs BANDS hashes per shingle instead of BANDS × ROWS for classic MinHash (~60 µs for a
 * 170-character Chinese post), and unlike one sketch of BANDS × ROWS bins with densification it
 * keeps that curve for short texts, whose borrowed bins would otherwise correlate the bands.
 * Band keys are matched as-is by the fingerprint index (no verification step), so ROWS is high
 * enough that unrelated complaints sharing stock phrases ("客服态度很差", "my order") rarely collide.
 * BANDS is a multiple of 4: sketchBands hashes four bands at a time.
 */
export const BANDS = 20;
export const ROWS = 7;

/** Fewer shingles than this leave most of a band's bins empty: no band keys (exact matching only). */
export const MIN_SHINGLES = 8;

/** Word pairs made only of these carry no content ("of the", "it was"); they are skipped. */
const STOP = [
  'the', 'a', 'an', 'and', 'or', 'is', 'was', 'are', 'were', 'be', 'been', 'to', 'of', 'in', 'on', 'at', 'for', 'it',
  'i', 'my', 'me', 'you', 'your', 'this', 'that', 'with', 'have', 'has', 'had', 'we', 'they', 'he', 'she', 'so', 'do',
];

// Hashing stays in int32 throughout: values ≥ 2^31 (uint32) would be boxed as doubles in V8.
/** FNV-1a of s[from, to), folding A–Z and Latin-1 capitals to lower case (no lower-cased copy of the text). */
function fnv(s: string, from: number, to: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = from; i < to; i++) {
    let c = s.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c <= 0xde && c !== 0xd7)) c += 0x20;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h;
}
/**
 * Stop-word hashes in a small open-addressing table: a Set of int32 keys would box the half of
 * them outside V8's small-integer range on every lookup.
 */
const STOP_TABLE = new Int32Array(256);
for (const w of STOP) {
  let i = fnv(w, 0, w.length) & 255;
  while (STOP_TABLE[i] !== 0) i = (i + 1) & 255;
  STOP_TABLE[i] = fnv(w, 0, w.length);
}
function isStop(h: number): boolean {
  for (let i = h & 255; STOP_TABLE[i] !== 0; i = (i + 1) & 255) if (STOP_TABLE[i] === h) return true;
  return false;
}

/** murmur3 finalizer: a cheap, well-spread 32-bit mix (int32 in, int32 out). */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Per band: a seed and an odd multiplier for its hash function, fixed so keys are stable across releases. */
const SEED = new Int32Array(BANDS);
const MULT = new Int32Array(BANDS);
for (let b = 0, s = 0x2545f491; b < BANDS; b++) {
  s = fmix(s + 0x6d2b79f5);
  SEED[b] = s;
  s = fmix(s + 0x6d2b79f5);
  MULT[b] = s | 1;
}
const EMPTY = 0x7fffffff;

// Scratch buffers reused across calls (the functions below are synchronous, so never shared).
/** Band b's bins are sketch[b * ROWS … b * ROWS + ROWS - 1]; each keeps the smallest hash it saw. */
const sketch = new Int32Array(BANDS * ROWS);
let shingleHash = new Int32Array(1024);

/**
 * Band by band over all shingles, four bands at a time: each shingle hash is loaded once per four
 * bands, and the four independent hash chains overlap in the CPU.
 */
function sketchBands(count: number): void {
  const hashes = shingleHash;
  sketch.fill(EMPTY);
  for (let b = 0; b < BANDS; b += 4) {
    const seed0 = SEED[b]!, seed1 = SEED[b + 1]!, seed2 = SEED[b + 2]!, seed3 = SEED[b + 3]!;
    const mult0 = MULT[b]!, mult1 = MULT[b + 1]!, mult2 = MULT[b + 2]!, mult3 = MULT[b + 3]!;
    const base0 = b * ROWS, base1 = base0 + ROWS, base2 = base1 + ROWS, base3 = base2 + ROWS;
    for (let j = 0; j < count; j++) {
      const x = hashes[j]!;
      keepMin(base0, Math.imul(x ^ seed0, mult0));
      keepMin(base1, Math.imul(x ^ seed1, mult1));
      keepMin(base2, Math.imul(x ^ seed2, mult2));
      keepMin(base3, Math.imul(x ^ seed3, mult3));
    }
  }
}

/**
 * Puts a band hash into its bin: high bits pick the bin and, within a bin, the smallest hash wins
 * (hashes in a bin are uniformly ordered). The minimum is taken without a branch: whether a new
 * hash is smaller is a coin flip the CPU cannot predict, and mispredictions cost more than the hashing.
 */
function keepMin(base: number, h: number): void {
  h ^= h >>> 15;
  const bin = base + (((h >>> 16) * ROWS) >>> 16);
  const old = sketch[bin]!;
  // Both are in [0, 2^31): the difference fits in int32 and its sign bit says which is smaller.
  const d = ((h & 0x7fffffff) - old) | 0;
  sketch[bin] = old + (d & (d >> 31));
}

/**
 * Cut the text into shingle hashes (shingleHash[0 … count − 1]) in one pass; returns the count.
 * Units are a Latin word (hash of its lower case) or one Han or other CJK letter (a hash of its
 * code); each unit closes the shingles that end with it, using the two units before it.
 */
function shingle(text: string): number {
  const len = text.length;
  // At most one shingle per unit, and at most one unit per character.
  if (shingleHash.length < len) shingleHash = new Int32Array(len * 2);
  const out = shingleHash;
  let count = 0;
  let first = true;
  // The two previous units: hash, whether Han, and for the last one whether it is a stop word.
  let p2 = 0, p1 = 0, p2Han = false, p1Han = false, p1Stop = false;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    let u: number;
    let uHan: boolean;
    if (isLatinWordChar(c)) {
      const start = i;
      while (i < len && isLatinWordChar(text.charCodeAt(i))) i++;
      u = fnv(text, start, i);
      uHan = false;
    } else {
      i++;
      // Han and other CJK letters (kana, Hangul) are units of one character; punctuation is not.
      if (c < 0x3041 || !(isHan(c) || isCjk(c))) continue;
      // A cheap multiplicative hash is enough here: shingles are mixed again before use.
      u = Math.imul(c, 0x9e3779b1);
      uHan = true;
    }
    const uStop = !uHan && isStop(u);
    if (first) first = false;
    else if (!p1Han) {
      // A word pair (or a word followed by a Han character); pairs of stop words are skipped.
      if (!(p1Stop && (uHan ? isStop(u) : uStop))) out[count++] = fmix((Math.imul(p1, 0x2f0b3a49) + u) | 0);
    } else if (!uHan) {
      // A Han character followed by a Latin word ("买了 iPhone").
      out[count++] = fmix(Math.imul(p1, 31) ^ u);
    } else if (p2Han) {
      const x = fmix((Math.imul(p2, 961) + Math.imul(p1, 31) + u) | 0);
      // Every Han character starts a triple, about 4× as many shingles per idea as English word
      // pairs; keeping the half with an even hash (the same half in every text) halves the cost
      // and leaves the Jaccard similarity of long enough texts as it was.
      if ((x & 1) === 0) out[count++] = x;
    }
    p2 = p1;
    p2Han = p1Han;
    p1 = u;
    p1Han = uHan;
    p1Stop = uStop;
  }
  return count;
}

/** An empty bin takes the next filled bin's value in its band, shifted by the distance (rotation densification). */
function densifyBand(base: number): void {
  for (let r = 0; r < ROWS; r++) {
    if (sketch[base + r] !== EMPTY) continue;
    for (let step = 1; step < ROWS; step++) {
      const v = sketch[base + ((r + step) % ROWS)]!;
      if (v !== EMPTY) {
        sketch[base + r] = (v + Math.imul(step, 0x3c6ef372)) & 0x7fffffff;
        break;
      }
    }
  }
}

/**
 * Band keys of a text ("b03:…"), or [] when it has too few shingles to compare reliably.
 * Identical texts always get identical keys.
 */
export function nearDuplicateBands(text: string): string[] {
  const count = shingle(text);
  if (count < MIN_SHINGLES) return [];
  sketchBands(count);
  const keys = new Array<string>(BANDS);
  for (let b = 0; b < BANDS; b++) {
    densifyBand(b * ROWS);
    // Two independent 32-bit hashes of the band's rows, 60 bits of which make the key.
    let h1 = 0x811c9dc5 ^ b;
    let h2 = (0x2545f491 + b) | 0;
    for (let r = 0; r < ROWS; r++) {
      const v = sketch[b * ROWS + r]!;
      h1 = Math.imul(h1 ^ v, 0x01000193);
      h2 = Math.imul((h2 << 5) | (h2 >>> 27), 0x9e3779b1) ^ v;
    }
    keys[b] = bandKey(b, fmix(h1), fmix(h2));
  }
  return keys;
}

const B64 = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (c) => c.charCodeAt(0));

/**
 * "b<band, 2 digits>:" + 60 bits in 10 base64url characters: accidental collisions stay negligible across
 * billions of keys. Built from char codes because number → string in radix 36 costs ~1 µs a key.
 */
function bandKey(band: number, h1: number, h2: number): string {
  // One flat string: a concatenation would be a cons string that every Map lookup has to flatten.
  return String.fromCharCode(
    0x62, 0x30 + ((band / 10) | 0), 0x30 + (band % 10), 0x3a,
    B64[h1 & 63]!, B64[(h1 >>> 6) & 63]!, B64[(h1 >>> 12) & 63]!, B64[(h1 >>> 18) & 63]!, B64[(h1 >>> 24) & 63]!,
    B64[h2 & 63]!, B64[(h2 >>> 6) & 63]!, B64[(h2 >>> 12) & 63]!, B64[(h2 >>> 18) & 63]!, B64[(h2 >>> 24) & 63]!,
  );
}
