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
let unitHash = new Int32Array(1024);
let unitHan = new Uint8Array(1024);
/** Band b's bins are sketch[b * ROWS … b * ROWS + ROWS - 1]; each keeps the smallest hash it saw. */
const sketch = new Int32Array(BANDS * ROWS);

/** Cut into units: a Latin word → hash of its lower case; a Han character → a hash of its code. Returns the count. */
function units(text: string): number {
  let n = 0;
  const len = text.length;
  if (unitHash.length < len) {
    unitHash = new Int32Array(len * 2);
    unitHan = new Uint8Array(len * 2);
  }
  const hashes = unitHash;
  const han = unitHan;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (isLatinWordChar(c)) {
      const start = i;
      while (i < len && isLatinWordChar(text.charCodeAt(i))) i++;
      hashes[n] = fnv(text, start, i);
      han[n++] = 0;
    } else {
      i++;
      // Han and other CJK letters (kana, Hangul) are units of one character; punctuation is not.
      if (c < 0x3041 || !(isHan(c) || isCjk(c))) continue;
      // A cheap multiplicative hash is enough here: shingles are mixed again before use.
      hashes[n] = Math.imul(c, 0x9e3779b1);
      han[n++] = 1;
    }
  }
  return n;
}

let shingleHash = new Int32Array(1024);

/** Band by band over all shingles: the band's seed and multiplier stay in registers. */
function sketchBands(count: number): void {
  const hashes = shingleHash;
  sketch.fill(EMPTY);
  for (let b = 0; b < BANDS; b++) {
    const seed = SEED[b]!;
    const mult = MULT[b]!;
    const base = b * ROWS;
    for (let j = 0; j < count; j++) {
      let h = Math.imul(hashes[j]! ^ seed, mult);
      h ^= h >>> 15;
      // High bits pick the bin; within a bin, the smallest hash wins (hashes in a bin are uniformly ordered).
      const bin = base + (((h >>> 16) * ROWS) >>> 16);
      const v = h & 0x7fffffff;
      if (v < sketch[bin]!) sketch[bin] = v;
    }
  }
}

/** Cut the text into shingle hashes (shingleHash[0 … count − 1]); returns the count. */
function shingle(text: string): number {
  const n = units(text);
  if (shingleHash.length < n) shingleHash = new Int32Array(n * 2);
  const hashes = shingleHash;
  const unitH = unitHash;
  const han = unitHan;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const a = unitH[i]!;
    if (han[i]) {
      if (i + 2 < n && han[i + 1] && han[i + 2]) {
        const x = fmix((Math.imul(a, 961) + Math.imul(unitH[i + 1]!, 31) + unitH[i + 2]!) | 0);
        // Every Han character starts a triple, about 4× as many shingles per idea as English word
        // pairs; keeping the half with an even hash (the same half in every text) halves the cost
        // and leaves the Jaccard similarity of long enough texts as it was.
        if ((x & 1) === 0) hashes[count++] = x;
      } else if (i + 1 < n && !han[i + 1]) {
        // A Han character followed by a Latin word ("买了 iPhone").
        hashes[count++] = fmix(Math.imul(a, 31) ^ unitH[i + 1]!);
      }
    } else if (i + 1 < n) {
      const b = unitH[i + 1]!;
      if (isStop(a) && isStop(b)) continue;
      hashes[count++] = fmix((Math.imul(a, 0x2f0b3a49) + b) | 0);
    }
  }
  return count;
}

/** An empty bin takes the next filled bin's value in its band, shifted by the distance (rotation densification). */
function densify(): void {
  for (let b = 0; b < BANDS; b++) {
    const base = b * ROWS;
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
}

/**
 * Band keys of a text ("b03:…"), or [] when it has too few shingles to compare reliably.
 * Identical texts always get identical keys.
 */
export function nearDuplicateBands(text: string): string[] {
  const count = shingle(text);
  if (count < MIN_SHINGLES) return [];
  sketchBands(count);
  densify();
  const keys = new Array<string>(BANDS);
  for (let b = 0; b < BANDS; b++) {
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
