import { contentHash } from '../../model/index.ts';
import type { Fingerprint } from '../../store/ports.ts';
import { nearDuplicateBands } from '../nlp/minhash.ts';
import type { Draft, Stage, StageContext } from '../stage.ts';
import { BatchText, publishedTimes, setVersions } from './common.ts';

export const DEDUPE_VERSION = 'minhash-1';
const VERSIONS = { dedupe: DEDUPE_VERSION };

/**
 * Below this many characters (title + text) a text is "short": "thanks!", "terrible service",
 * "where is my refund?". Different people write the same short text independently, so short texts
 * are never near-duplicates, and exact duplicates only when the same author repeats them.
 */
export const SHORT_TEXT_CHARS = 20;
const SOLO = 'solo:';

/** A key of the item's own: it matches nothing else. */
function soloPrint(d: Draft): { exact: string; bands: string[] } {
  return { exact: SOLO + d.id, bands: [] };
}

/**
 * The keys an item is remembered and matched by.
 *  - Survey answers and items without text get a key of their own (`solo:<id>`) and no bands: an
 *    answer is solicited and counts once, and hiding one as a duplicate would skew NPS and CSAT.
 *  - Short texts: exact key scoped to the author (source + author id or handle), `solo:` without one.
 *  - Everything else: the content hash, plus MinHash band keys for near duplicates.
 */
export function fingerprintOf(d: Draft, text: string): { exact: string; bands: string[] } {
  if (d.survey || text.trim() === '') return soloPrint(d);
  if ((d.title ?? '').length + d.text.length < SHORT_TEXT_CHARS) {
    const author = d.author?.id ?? d.author?.handle;
    return author ? { exact: contentHash(`short\u0000${d.source.id}\u0000${author}\u0000${d.contentHash}`), bands: [] } : soloPrint(d);
  }
  return { exact: d.contentHash, bands: nearDuplicateBands(text) };
}

/** Key `k` of item `item`: -1 for the exact key, else a band key. */
type KeyOf = (item: number, k: number) => string;

/**
 * FNV-style hash of a key, two characters per step: keys are ~14 characters (band keys, content
 * hashes), and the multiply chain is what costs. Only picks slots, so it is free to change.
 */
function slotHash(key: string): number {
  let h = 0x811c9dc5;
  const pairs = key.length & ~1;
  for (let k = 0; k < pairs; k += 2) h = Math.imul(h ^ (key.charCodeAt(k) | (key.charCodeAt(k + 1) << 16)), 0x01000193);
  if (pairs < key.length) h = Math.imul(h ^ key.charCodeAt(pairs), 0x01000193);
  return h ^ (h >>> 15);
}

/**
 * First item (by batch position) per key within one batch: open addressing over a hash of the key,
 * checked against the key itself. A Map of ~20 fresh strings per item cost several µs per item.
 * Slots hold numbers only (the key's hash, the holder and which of its keys), and the key string is
 * looked up only when hashes match: storing ~20,000 strings per batch into a table cost more, in
 * garbage-collector write barriers and cache misses, than all the probing.
 */
class FirstByKey {
  /**
   * The largest table made so far, reused by the next batches (a table is used within one
   * synchronous pass, so passes never share it): making a fresh ~0.8 MB table for a batch of 1,000
   * took ~5× as long as clearing this one.
   */
  private static spare = new Int32Array(0);
  private readonly mask: number;
  /** Slot i: the key's hash at 3i, the holder item at 3i + 1 (-1 when free), its key index at 3i + 2. */
  private readonly slots: Int32Array;

  constructor(keys: number, private readonly keyOf: KeyOf) {
    let size = 64;
    while (size < keys * 2) size *= 2;
    this.mask = size - 1;
    if (FirstByKey.spare.length < size * 3) FirstByKey.spare = new Int32Array(size * 3);
    this.slots = FirstByKey.spare.subarray(0, size * 3).fill(-1);
  }

  /** The item already holding key `k` of `item`, or -1 after recording `item` as its holder. */
  claim(item: number, k: number): number {
    const key = this.keyOf(item, k);
    const h = slotHash(key);
    const slots = this.slots;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const holder = slots[3 * i + 1]!;
      if (holder < 0) {
        slots[3 * i] = h;
        slots[3 * i + 1] = item;
        slots[3 * i + 2] = k;
        return -1;
      }
      if (slots[3 * i] === h && this.keyOf(holder, slots[3 * i + 2]!) === key) return holder;
    }
  }
}

/** Positions sorted by publication time, then position; already-ordered batches skip the sort. */
function chronological(batch: readonly Draft[]): number[] {
  const time = publishedTimes(batch);
  const order = batch.map((_, i) => i);
  for (let i = 1; i < time.length; i++) {
    if (time[i]! < time[i - 1]!) return order.sort((a, b) => time[a]! - time[b]! || a - b);
  }
  return order;
}

/**
 * Marks reposts and copy-paste campaigns: `duplicateOf` is the earliest earlier item with the same
 * content hash or a shared band key — from earlier batches (the fingerprint index) first, else the
 * earliest in this batch, resolved to the original when that one is itself a duplicate.
 * An item is never a duplicate of itself (same id re-processed or twice in a batch).
 */
export function dedupeStage(): Stage {
  return {
    name: 'dedupe',
    async run(batch: Draft[], ctx: StageContext): Promise<Draft[]> {
      const texts = BatchText.of(batch);
      const prints = batch.map((d, i) => fingerprintOf(d, texts.text(i)));
      const probes: Fingerprint[] = [];
      batch.forEach((d, i) => {
        const fp = prints[i]!;
        if (!fp.exact.startsWith(SOLO)) probes.push({ id: d.id, exact: fp.exact, bands: fp.bands, publishedAt: d.publishedAt });
      });
      const earlier = probes.length ? await ctx.fingerprints.match(probes) : new Map<string, string>();

      // "Earlier" within a batch: by publication time, then position. rank[i] orders the batch that way.
      const order = chronological(batch);
      const rank = new Int32Array(batch.length);
      order.forEach((i, r) => (rank[i] = r));

      const dupOf = new Array<string | null>(batch.length).fill(null);
      const keyOf: KeyOf = (item, k) => (k < 0 ? prints[item]!.exact : prints[item]!.bands[k]!);
      const firstByKey = new FirstByKey(prints.reduce((n, fp) => n + 1 + fp.bands.length, 0), keyOf);
      for (const i of order) {
        const d = batch[i]!;
        const fp = prints[i]!;
        let inBatch = -1;
        for (let k = -1; k < fp.bands.length; k++) {
          const j = firstByKey.claim(i, k);
          if (j >= 0 && batch[j]!.id !== d.id && (inBatch < 0 || rank[j]! < rank[inBatch]!)) inBatch = j;
        }
        const fromIndex = earlier.get(d.id);
        if (fromIndex !== undefined && fromIndex !== d.id) dupOf[i] = fromIndex;
        else if (inBatch >= 0) {
          const root = dupOf[inBatch] ?? batch[inBatch]!.id;
          dupOf[i] = root === d.id ? null : root;
        }
      }
      batch.forEach((d, i) => {
        d.fingerprint = prints[i]!;
        d.analysis.duplicateOf = dupOf[i]!;
        setVersions(d, VERSIONS);
      });
      return batch;
    },
  };
}
