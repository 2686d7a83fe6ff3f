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

  // The behaviours every adapter shares are in test/contract/fingerprint-index.contract.ts; these are SQLite's own.
  test('should reject a fingerprint without a valid date and store nothing', async () => {
    await expect(index.add([fp('a', 'h', [], 'soon')])).rejects.toThrow(/invalid fingerprints/);
    expect(db.prepare('SELECT count(*) FROM fp_log').pluck().get()).toBe(0);
  });

  test('should remember fingerprints across a restart', async () => {
    await index.add([fp('a', 'h', ['b1'], '2025-03-01T00:00:00Z')]);
    const reopened = new SqliteFingerprintIndex(db);
    expect(await reopened.match([fp('p', 'z', ['b1'], '2025-03-09T00:00:00Z')])).toEqual(new Map([['p', 'a']]));
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
