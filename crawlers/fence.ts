import { z } from 'zod';

/**
 * How far a newest-first listing was read: the newest position seen (a time or an increasing id, as a
 * number) and the ids found at exactly that position, so items sharing it are neither lost nor repeated.
 */
export const Fence = z.object({
  newest: z.number().nullable(),
  idsAtNewest: z.array(z.string()).max(10_000),
});
export type Fence = z.infer<typeof Fence>;

export const EMPTY_FENCE: Fence = { newest: null, idsAtNewest: [] };

/** Reads one run's worth of a newest-first listing against the fence the previous run left. */
export class FenceReader {
  private readonly seenAtOld: Set<string>;
  private newest: number | null;
  private atNewest: Set<string>;

  /** `floor`: on a first run (no fence yet), items older than this are not wanted. */
  constructor(private readonly previous: Fence, private readonly floor = Number.NEGATIVE_INFINITY) {
    this.seenAtOld = new Set(previous.idsAtNewest);
    this.newest = previous.newest;
    this.atNewest = new Set(previous.idsAtNewest);
  }

  /** True when an earlier run already read this item (or it is below the first run's floor). */
  isOld(at: number, id: string): boolean {
    const old = this.previous.newest;
    if (old === null) return at < this.floor;
    return at < old || (at === old && this.seenAtOld.has(id));
  }

  /**
   * True once the listing has gone strictly below the fence: every later item is old. An item at the
   * fence itself does not end the reading, since items sharing its time may still follow.
   */
  isBelow(at: number): boolean {
    const old = this.previous.newest;
    return old === null ? at < this.floor : at < old;
  }

  /** Remember an item as read, moving the fence up if it is the newest so far. */
  note(at: number, id: string): void {
    if (this.newest === null || at > this.newest) {
      this.newest = at;
      this.atNewest = new Set([id]);
    } else if (at === this.newest) {
      this.atNewest.add(id);
    }
  }

  next(): Fence {
    return { newest: this.newest, idsAtNewest: [...this.atNewest] };
  }
}
