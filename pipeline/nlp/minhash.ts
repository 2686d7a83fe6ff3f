import { isCjk, isHan, isLatinWordChar } from './chars.ts';

/**
 * MinHash-LSH band keys for near-duplicate detection (reposts with a few words changed,
 * copy-paste campaigns with a name swapped). Texts are cut into units — a Latin-script word or a
 * single Han character — and shingled: word pairs, or Han character triples.
 *
 * The sketch is one-permutation MinHash with optimal densification (Shrivastava, ICML 2017): each
 * shingle is hashed once into one of K bins and empty bins borrow from a fixed pseudo-random
 * sequence of other bins. It keeps P[bin equal] = Jaccard similarity J at O(shingles + K) cost,
 * where K separate permutations cost ~60 µs for a 170-character Chinese post.
 *
 * Two texts share at least one band key with probability ≈ 1 − (1 − J^ROWS)^BANDS:
 *   J = 0.85 → ≈100%, 0.75 → 97%, 0.65 → 76%, 0.5 → 27%, 0.3 → 1.5%, 0.1 → 0.002%.
 * Band keys are matched as-is by the fingerprint index (no verification step), so ROWS is high
 * enough that unrelated complaints sharing stock phrases ("客服态度很差", "my order") rarely collide.
 */
export const BANDS = 20;
export const ROWS = 6;
const K = BANDS * ROWS;

/** Fewer shingles than this and a sketch is mostly borrowed values: no band keys (exact matching only). */
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
const STOP_HASHES = new Set(STOP.map((w) => fnv(w, 0, w.length)));

/** murmur3 finalizer: a cheap, well-spread 32-bit mix (int32 in, int32 out). */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Each empty bin's fixed sequence of donor bins (data-independent, so identical for every text).
 * 64 tries fail only when almost every bin is empty; then the next non-empty bin to the right is used.
 */
const TRIES = 64;
const DONORS = new Uint8Array(K * TRIES);
for (let b = 0, s = 0x2545f491; b < K; b++) {
  for (let t = 0; t < TRIES; t++) {
    s = fmix(s + 0x9e3779b9);
    DONORS[b * TRIES + t] = (s >>> 0) % K;
  }
}

let unitHash = new Int32Array(1024);
let unitHan = new Uint8Array(1024);
const bins = new Int32Array(K);
const filled = new Uint8Array(K);
const sketch = new Int32Array(K);

/** Cut into units: a Latin word → hash of its lower case; a Han character → a hash of its code. Returns the count. */
function units(lower: string): number {
  let n = 0;
  const len = lower.length;
  let i = 0;
  while (i < len) {
    const c = lower.charCodeAt(i);
    let h: number, han = 0;
    if (isLatinWordChar(c)) {
      const start = i;
      while (i < len && isLatinWordChar(lower.charCodeAt(i))) i++;
      h = fnv(lower, start, i);
    } else {
      i++;
      if (!isHan(c) && !(isCjk(c) && c > 0x3040)) continue;
      h = fmix((c + 0x1000193) | 0);
      han = 1;
    }
    if (n === unitHash.length) {
      const h2 = new Int32Array(n * 2);
      h2.set(unitHash);
      unitHash = h2;
      const f2 = new Uint8Array(n * 2);
      f2.set(unitHan);
      unitHan = f2;
    }
    unitHash[n] = h;
    unitHan[n] = han;
    n++;
  }
  return n;
}

function addShingle(x: number): void {
  const h = fmix(x);
  // High bits pick the bin; an independent mix of the same hash orders shingles within it.
  const bin = ((h >>> 16) * K) >>> 16;
  const v = fmix(h ^ 0x5bd1e995);
  if (!filled[bin] || v < bins[bin]!) {
    bins[bin] = v;
    filled[bin] = 1;
  }
}

/** Shingle the text into the bins; returns the number of shingles. */
function shingle(text: string): number {
  const n = units(text);
  filled.fill(0);
  let shingles = 0;
  for (let i = 0; i < n; i++) {
    const a = unitHash[i]!;
    if (unitHan[i]) {
      // Han characters: triples, about as specific as an English word pair.
      if (i + 2 < n && unitHan[i + 1] && unitHan[i + 2]) {
        addShingle((Math.imul(a, 961) + Math.imul(unitHash[i + 1]!, 31) + unitHash[i + 2]!) | 0);
        shingles++;
      } else if (i + 1 < n && !unitHan[i + 1]) {
        addShingle(Math.imul(a, 31) ^ unitHash[i + 1]!);
        shingles++;
      }
    } else if (i + 1 < n) {
      const b = unitHash[i + 1]!;
      if (STOP_HASHES.has(a) && STOP_HASHES.has(b)) continue;
      addShingle((Math.imul(a, 0x2f0b3a49) + b) | 0);
      shingles++;
    }
  }
  return shingles;
}

function densify(): void {
  for (let b = 0; b < K; b++) {
    if (filled[b]) {
      sketch[b] = bins[b]!;
      continue;
    }
    let donor = -1;
    for (let t = 0; t < TRIES && donor < 0; t++) {
      const d = DONORS[b * TRIES + t]!;
      if (filled[d]) donor = d;
    }
    for (let d = (b + 1) % K; donor < 0; d = (d + 1) % K) if (filled[d]) donor = d;
    sketch[b] = bins[donor]!;
  }
}

/**
 * Band keys of a text ("b03:…"), or [] when it has too few shingles to compare reliably.
 * Identical texts always get identical keys.
 */
export function nearDuplicateBands(text: string): string[] {
  if (shingle(text) < MIN_SHINGLES) return [];
  densify();
  const keys = new Array<string>(BANDS);
  for (let b = 0; b < BANDS; b++) {
    let h1 = 0x811c9dc5 ^ b;
    let h2 = (0x2545f491 + b) | 0;
    for (let r = 0; r < ROWS; r++) {
      const v = sketch[b * ROWS + r]!;
      h1 = Math.imul(h1 ^ v, 0x01000193);
      h2 = fmix(h2 ^ v);
    }
    keys[b] = bandKey(b, fmix(h1), h2);
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
