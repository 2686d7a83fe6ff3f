/**
 * Recent query results, cleared on every write. A dashboard asks about one selection several times
 * at once (results, histogram, terms), and the FTS5 lookup plus filtering is what grows with the
 * number of matches, so the second and later asks reuse the first one's rowids.
 */
export interface CachedRowids {
  rowids: Int32Array;
  n: number;
}

const MAX_ENTRIES = 32;
/** Bounds the memory held: 8 M rowids ≈ 32 MB. */
const MAX_ROWIDS = 8_000_000;

export class ResultCache<T extends CachedRowids> {
  private readonly entries = new Map<string, T>();
  private held = 0;

  get(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      // Re-insert so the Map's order is least recently used first.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: T): void {
    if (value.rowids.length > MAX_ROWIDS / 4 || this.entries.has(key)) return;
    this.entries.set(key, value);
    this.held += value.rowids.length;
    for (const [k, v] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && this.held <= MAX_ROWIDS) break;
      this.entries.delete(k);
      this.held -= v.rowids.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }
}
