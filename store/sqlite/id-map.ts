import { cyrb53 } from './hash.ts';

/**
 * Feedback id → rowid, in memory. Feedback ids are random (a sha256), so a SQL index on them makes
 * every batch dirty one B-tree page per item: at 1 M documents that index alone cost ~60 µs per
 * upserted item in WAL writes. Here ids are kept as 53-bit hashes in an open-addressing table
 * (~24 MB per million); a hash may collide, so callers confirm each candidate rowid against the
 * row's stored id.
 */
export class IdMap {
  private keys: Float64Array;
  private rowids: Int32Array;
  private count = 0;

  constructor(capacity = 1024) {
    this.keys = new Float64Array(Math.max(capacity, 1));
    this.rowids = new Int32Array(Math.max(capacity, 1));
  }

  get size(): number {
    return this.count;
  }

  toParts(): { keys: Float64Array; rowids: Int32Array; count: number } {
    return { keys: this.keys, rowids: this.rowids, count: this.count };
  }

  static fromParts(parts: { keys: Float64Array; rowids: Int32Array; count: number }): IdMap {
    const { keys, rowids, count } = parts;
    if (keys.length !== rowids.length || (keys.length & (keys.length - 1)) !== 0 || count * 2 > keys.length) {
      throw new Error('snapshot id map does not fit');
    }
    const map = new IdMap(0);
    map.keys = keys;
    map.rowids = rowids;
    map.count = count;
    return map;
  }

  /** Rowids stored under this hash: usually none or one. */
  candidates(hash: number): number[] {
    const out: number[] = [];
    const mask = this.keys.length - 1;
    for (let i = slotOf(hash, mask); this.keys[i] !== 0; i = (i + 1) & mask) {
      if (this.keys[i] === hash) out.push(this.rowids[i]!);
    }
    return out;
  }

  add(hash: number, rowid: number): void {
    if (this.candidates(hash).includes(rowid)) return;
    if ((this.count + 1) * 2 > this.keys.length) this.rehash(this.keys.length * 2);
    this.put(hash, rowid);
    this.count++;
  }

  /** Undo of `add`, for writes rolled back. */
  remove(hash: number, rowid: number): void {
    const entries: [number, number][] = [];
    const mask = this.keys.length - 1;
    // Take out the whole probe run and put the others back, so no lookup chain is broken.
    let i = slotOf(hash, mask);
    while (this.keys[i] !== 0) i = (i - 1) & mask;
    for (i = (i + 1) & mask; this.keys[i] !== 0; i = (i + 1) & mask) {
      if (!(this.keys[i] === hash && this.rowids[i] === rowid)) entries.push([this.keys[i]!, this.rowids[i]!]);
      else this.count--;
      this.keys[i] = 0;
    }
    for (const [k, r] of entries) this.put(k, r);
  }

  private put(hash: number, rowid: number): void {
    const mask = this.keys.length - 1;
    let i = slotOf(hash, mask);
    while (this.keys[i] !== 0) i = (i + 1) & mask;
    this.keys[i] = hash;
    this.rowids[i] = rowid;
  }

  private rehash(capacity: number): void {
    const { keys, rowids } = this;
    this.keys = new Float64Array(capacity);
    this.rowids = new Int32Array(capacity);
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.put(keys[i]!, rowids[i]!);
  }
}

/** Hashes are uniformly distributed, so their low bits make a good slot. */
function slotOf(hash: number, mask: number): number {
  return hash % (mask + 1);
}

/** Hash of a feedback id as stored in `feedback.id_hash`; never 0, which marks an empty slot. */
export function idHash(id: string): number {
  return cyrb53(id) || 1;
}
