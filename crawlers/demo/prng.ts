/**
 * A small seeded PRNG (mulberry32) and the draws the demo needs. Not for anything secret:
 * it exists so the same seed always tells the same story.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both ends included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Pareto draw with scale `min` and shape `alpha`, capped: a few huge values, most small. */
  pareto(min: number, alpha: number, cap: number): number {
    return Math.min(cap, Math.floor(min / Math.pow(1 - this.next(), 1 / alpha)));
  }
}

/** Weighted choice over a fixed table; the cumulative sums are computed once. */
export class Weighted<T> {
  private readonly values: T[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    this.values = entries.map(([v]) => v);
    let sum = 0;
    this.cumulative = entries.map(([, w]) => (sum += w));
    this.total = sum;
  }

  pick(rng: Rng): T {
    const x = rng.next() * this.total;
    let i = 0;
    while (this.cumulative[i]! <= x) i++;
    return this.values[i]!;
  }
}
