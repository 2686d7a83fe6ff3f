import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Fingerprint, FingerprintIndex } from '../../store/ports.ts';

export interface FingerprintFixture {
  index: FingerprintIndex;
  /** Another index on the same storage: a second worker, or the same one after a restart. */
  another: () => FingerprintIndex;
  cleanup: () => Promise<void>;
}

export const fp = (id: string, exact: string, bands: string[], publishedAt: string): Fingerprint => ({ id, exact, bands, publishedAt });

/** One suite for every FingerprintIndex adapter: SQLite (embedded) and Redis (cluster). */
export function fingerprintIndexContract(name: string, make: () => Promise<FingerprintFixture>): void {
  describe(`FingerprintIndex contract: ${name}`, () => {
    let fx: FingerprintFixture;
    let index: FingerprintIndex;
    beforeEach(async () => {
      fx = await make();
      index = fx.index;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    test('matches the earliest other item with the same exact hash', async () => {
      await index.add([
        fp('late', 'h1', [], '2025-03-02T00:00:00Z'),
        fp('early', 'h1', [], '2025-03-01T00:00:00Z'),
        fp('unrelated', 'h2', [], '2025-02-01T00:00:00Z'),
      ]);
      expect(await index.match([fp('probe', 'h1', [], '2025-03-05T00:00:00Z')])).toEqual(new Map([['probe', 'early']]));
    });

    test('matches an item sharing any band key, earliest first, ties by id', async () => {
      await index.add([
        fp('b', 'x1', ['band-1', 'band-2'], '2025-03-01T00:00:00Z'),
        fp('a', 'x2', ['band-3'], '2025-03-01T00:00:00Z'),
        fp('c', 'x3', ['band-9'], '2025-01-01T00:00:00Z'),
      ]);
      const m = await index.match([
        fp('p1', 'new', ['band-2', 'band-3'], '2025-04-01T00:00:00Z'),
        fp('p2', 'new2', ['band-7'], '2025-04-01T00:00:00Z'),
      ]);
      expect(m).toEqual(new Map([['p1', 'a']]));
    });

    test('prefers whichever of exact and band matches is earlier', async () => {
      await index.add([fp('exact', 'h', [], '2025-03-02T00:00:00Z'), fp('near', 'other', ['b'], '2025-03-01T00:00:00Z')]);
      expect(await index.match([fp('p', 'h', ['b'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'near']]));
    });

    test('never matches an item to itself when it is processed again', async () => {
      const self = fp('self', 'h', ['b1'], '2025-03-01T00:00:00Z');
      await index.add([self]);
      expect(await index.match([self])).toEqual(new Map());
      await index.add([fp('earlier', 'h', [], '2025-02-28T00:00:00Z')]);
      expect(await index.match([self])).toEqual(new Map([['self', 'earlier']]));
    });

    test('never makes an original a duplicate of a later copy', async () => {
      const original = fp('original', 'h', ['b1'], '2025-03-01T00:00:00Z');
      await index.add([original, fp('copy', 'h', ['b1'], '2025-03-02T00:00:00Z')]);
      expect(await index.match([original])).toEqual(new Map());
      expect(await index.match([fp('copy', 'h', ['b1'], '2025-03-02T00:00:00Z')])).toEqual(new Map([['copy', 'original']]));
    });

    test('is idempotent and forgets the old bands of an item added again with new ones', async () => {
      await index.add([fp('a', 'h', ['b1', 'b2'], '2025-03-01T00:00:00Z')]);
      await index.add([fp('a', 'h', ['b1', 'b2'], '2025-03-01T00:00:00Z')]);
      expect(await index.match([fp('p', 'q', ['b2'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'a']]));
      await index.add([fp('a', 'h2', ['b3'], '2025-03-01T00:00:00Z')]);
      expect(await index.match([fp('p', 'h', ['b1'], '2025-03-09T00:00:00Z')])).toEqual(new Map());
      expect(await index.match([fp('p', 'z', ['b3'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'a']]));
      expect(await index.match([fp('p', 'h2', [], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'a']]));
    });

    test('moves an item when it is added again with another date', async () => {
      await index.add([fp('a', 'h', ['b'], '2025-03-05T00:00:00Z'), fp('z', 'h', ['b'], '2025-03-03T00:00:00Z')]);
      await index.add([fp('a', 'h', ['b'], '2025-03-01T00:00:00Z')]);
      expect(await index.match([fp('p', 'q', ['b'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'a']]));
      expect(await index.match([fp('z', 'q', ['b'], '2025-03-03T00:00:00Z')])).toEqual(new Map([['z', 'a']]));
    });

    test('rejects a batch with an invalid date and stores none of it', async () => {
      await expect(index.add([fp('ok', 'h', ['b1'], '2025-03-01T00:00:00Z'), fp('bad', 'h', [], 'soon')])).rejects.toThrow(/invalid fingerprints/);
      expect(await index.match([fp('p', 'h', ['b1'], '2025-03-09T00:00:00Z')])).toEqual(new Map());
    });

    test('answers nothing for an empty batch or an empty index', async () => {
      expect(await index.match([fp('p', 'h', ['b1'], '2025-03-09T00:00:00Z')])).toEqual(new Map());
      await index.add([]);
      expect(await index.match([])).toEqual(new Map());
    });

    test('sees what another index on the same storage added, and remembers it for a new one', async () => {
      const other = fx.another();
      await other.add([fp('a', 'h', ['b1'], '2025-03-01T00:00:00Z')]);
      expect(await index.match([fp('p', 'h', [], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'a']]));
      await index.add([fp('b', 'h2', ['b2'], '2025-03-02T00:00:00Z')]);
      expect(await other.match([fp('q', 'x', ['b2'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['q', 'b']]));
      expect(await fx.another().match([fp('r', 'z', ['b1'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['r', 'a']]));
    });

    test('keeps the earliest holder when several writers add copies at once', async () => {
      const writers = [index, fx.another(), fx.another()];
      const items = Array.from({ length: 30 }, (_, i) => fp(`i${String(i).padStart(2, '0')}`, 'same', ['shared'], `2025-03-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00Z`));
      // Shuffled deterministically and spread over the writers, one item per call.
      const order = items.map((_, i) => (i * 7) % items.length);
      await Promise.all(order.map((i, n) => writers[n % writers.length]!.add([items[i]!])));
      // i00 and i28 share the earliest date; the smaller id wins.
      expect(await index.match([fp('p', 'same', [], '2025-04-01T00:00:00Z')])).toEqual(new Map([['p', 'i00']]));
    });
  });
}
