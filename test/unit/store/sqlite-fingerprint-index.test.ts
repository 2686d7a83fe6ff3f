import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Fingerprint } from '../../../store/ports.ts';
import { openDb, type Db } from '../../../store/sqlite/db.ts';
import { SqliteFingerprintIndex } from '../../../store/sqlite/fingerprint-index.ts';

const fp = (id: string, exact: string, bands: string[], publishedAt: string): Fingerprint => ({ id, exact, bands, publishedAt });

describe('SqliteFingerprintIndex', () => {
  let dir: string;
  let db: Db;
  let index: SqliteFingerprintIndex;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'allears-fingerprints-'));
    db = openDb(join(dir, 'allears.db'));
    index = new SqliteFingerprintIndex(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('should match the earliest other item with the same exact hash', async () => {
    await index.add([
      fp('late', 'h1', [], '2025-03-02T00:00:00Z'),
      fp('early', 'h1', [], '2025-03-01T00:00:00Z'),
      fp('unrelated', 'h2', [], '2025-02-01T00:00:00Z'),
    ]);
    const m = await index.match([fp('probe', 'h1', [], '2025-03-05T00:00:00Z')]);
    expect(m).toEqual(new Map([['probe', 'early']]));
  });

  test('should match an item sharing any band key, earliest first, ties by id', async () => {
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

  test('should prefer whichever of exact and band matches is earlier', async () => {
    await index.add([fp('exact', 'h', [], '2025-03-02T00:00:00Z'), fp('near', 'other', ['b'], '2025-03-01T00:00:00Z')]);
    expect(await index.match([fp('p', 'h', ['b'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'near']]));
  });

  test('should never match an item to itself when it is processed again', async () => {
    const self = fp('self', 'h', ['b1'], '2025-03-01T00:00:00Z');
    await index.add([self]);
    expect(await index.match([self])).toEqual(new Map());
    await index.add([fp('earlier', 'h', [], '2025-02-28T00:00:00Z')]);
    expect(await index.match([self])).toEqual(new Map([['self', 'earlier']]));
  });

  test('should never make an original a duplicate of a later copy', async () => {
    const original = fp('original', 'h', ['b1'], '2025-03-01T00:00:00Z');
    await index.add([original, fp('copy', 'h', ['b1'], '2025-03-02T00:00:00Z')]);
    expect(await index.match([original])).toEqual(new Map());
    expect(await index.match([fp('copy', 'h', ['b1'], '2025-03-02T00:00:00Z')])).toEqual(new Map([['copy', 'original']]));
  });

  test('should be idempotent and forget the old bands of an item added again with new ones', async () => {
    await index.add([fp('a', 'h', ['b1', 'b2'], '2025-03-01T00:00:00Z')]);
    await index.add([fp('a', 'h', ['b1', 'b2'], '2025-03-01T00:00:00Z')]);
    expect(await index.match([fp('p', 'q', ['b2'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'a']]));
    await index.add([fp('a', 'h2', ['b3'], '2025-03-01T00:00:00Z')]);
    expect(await index.match([fp('p', 'h', ['b1'], '2025-03-09T00:00:00Z')])).toEqual(new Map());
    expect(await index.match([fp('p', 'z', ['b3'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'a']]));
    expect(await index.match([fp('p', 'h2', [], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'a']]));
  });

  test('should move an item when it is added again with another date', async () => {
    await index.add([fp('a', 'h', ['b'], '2025-03-05T00:00:00Z'), fp('z', 'h', ['b'], '2025-03-03T00:00:00Z')]);
    await index.add([fp('a', 'h', ['b'], '2025-03-01T00:00:00Z')]);
    expect(await index.match([fp('p', 'q', ['b'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'a']]));
    // Between the two dates of "a", "z" is the earliest other holder of the band only when "a" is later.
    expect(await index.match([fp('z', 'q', ['b'], '2025-03-03T00:00:00Z')])).toEqual(new Map([['z', 'a']]));
  });

  test('should reject a fingerprint without a valid date and store nothing', async () => {
    await expect(index.add([fp('a', 'h', [], 'soon')])).rejects.toThrow(/invalid fingerprints/);
    expect(db.prepare('SELECT count(*) FROM fp_log').pluck().get()).toBe(0);
  });

  test('should remember fingerprints across a restart', async () => {
    await index.add([fp('a', 'h', ['b1'], '2025-03-01T00:00:00Z')]);
    const reopened = new SqliteFingerprintIndex(db);
    expect(await reopened.match([fp('p', 'z', ['b1'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'a']]));
  });

  test('should see what another connection added', async () => {
    const otherDb = openDb(join(dir, 'allears.db'));
    const other = new SqliteFingerprintIndex(otherDb);
    await other.add([fp('a', 'h', ['b1'], '2025-03-01T00:00:00Z')]);
    expect(await index.match([fp('p', 'h', [], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'a']]));
    await index.add([fp('b', 'h2', ['b2'], '2025-03-02T00:00:00Z')]);
    expect(await other.match([fp('q', 'x', ['b2'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['q', 'b']]));
    otherDb.close();
  });

  test('should forget items that fall out of the window behind the newest one', async () => {
    const short = new SqliteFingerprintIndex(db, { windowMs: 10 * 86_400_000 });
    await short.add([fp('old', 'h', ['b1'], '2025-01-01T00:00:00Z')]);
    expect(await short.match([fp('p', 'h', [], '2025-01-05T00:00:00Z')])).toEqual(new Map([['p', 'old']]));
    await short.add(Array.from({ length: 50_001 }, (_, i) => fp(`n${i}`, `x${i}`, [], '2025-03-01T00:00:00Z')));
    expect(await short.match([fp('p', 'h', [], '2025-03-05T00:00:00Z')])).toEqual(new Map());
    expect(db.prepare("SELECT count(*) FROM fp_log WHERE id = 'old'").pluck().get()).toBe(0);
  });

  test('never hands out a log sequence number twice, even when pruning the newest entry', async () => {
    const capped = new SqliteFingerprintIndex(db, { maxItems: 1 });
    await capped.add([fp('x', 'hx', [], '2025-03-01T00:00:00Z')]);
    // An old item over the cap is pruned at once; its log row is the newest and must stay.
    await capped.add([fp('y', 'hy', [], '2024-01-01T00:00:00Z')]);
    const seqAfterPrune = db.prepare('SELECT max(seq) FROM fp_log').pluck().get() as number;
    await capped.add([fp('z', 'hz', [], '2025-03-02T00:00:00Z')]);
    const seqs = db.prepare('SELECT seq FROM fp_log ORDER BY seq').pluck().all() as number[];
    expect(seqAfterPrune).toBe(2);
    expect(seqs.at(-1)).toBe(3);
  });

  test('passes a key to the next earliest item when its holder is forgotten, as a restart would', async () => {
    const capped = new SqliteFingerprintIndex(db, { maxItems: 2 });
    await capped.add([fp('x', 'hx', ['shared'], '2025-03-01T00:00:00Z'), fp('y', 'hy', ['shared'], '2025-03-02T00:00:00Z')]);
    // Over the cap: "x", the holder of the shared band, is forgotten; "y" must take the band over.
    await capped.add([fp('w', 'hw', [], '2025-03-03T00:00:00Z')]);
    const probe = fp('z', 'hz', ['shared'], '2025-03-04T00:00:00Z');
    expect(await capped.match([probe])).toEqual(new Map([['z', 'y']]));
    expect(await new SqliteFingerprintIndex(db, { maxItems: 2 }).match([probe])).toEqual(new Map([['z', 'y']]));
  });
});
