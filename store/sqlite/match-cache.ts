/**
 * Recent full-text results. A dashboard asks the same `q` several times at once (results, histogram,
 * terms), and the FTS5 lookup is the one cost that grows with the match count. Cleared on every write.
 */
export interface MatchResult {
  rowids: Int32Array;
  scores: Float64Array | null;
}

const MAX_ENTRIES = 16;
/** Bounds the memory held: 4 M rowids ≈ 16 MB (48 MB with scores). */
const MAX_ROWIDS = 4_000_000;

export class MatchCache {
  private readonly entries = new Map<string, MatchResult>();
  private held = 0;

  get(key: string): MatchResult | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      // Re-insert so the Map's order is least recently used first.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: MatchResult): void {
    if (value.rowids.length > MAX_ROWIDS / 2) return;
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
