import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { MemoryCheckpointStore, runWithCheckpoint, type CheckpointStore, type IncrementalSource } from '../../../crawlers/checkpoint.ts';
import { SqliteCheckpointStore } from '../../../crawlers/checkpoint-sqlite.ts';
import type { Source } from '../../../crawlers/source.ts';
import { openDb, type Db } from '../../../store/sqlite/db.ts';
import { tempDir } from '../../helpers/tmp.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function sqliteStore(): { store: SqliteCheckpointStore; file: string; db: Db } {
  const tmp = tempDir();
  const file = join(tmp.dir, 'allears.db');
  const db = openDb(file);
  cleanups.push(() => { db.close(); tmp.cleanup(); });
  return { store: new SqliteCheckpointStore(db), file, db };
}

/** A source that yields the numbers above its checkpoint, up to `upTo`. */
function counter(upTo: { n: number }): IncrementalSource {
  return {
    id: 'counter',
    kind: 'test',
    run: async () => [],
    runFrom: async ({ checkpoint }) => {
      const from = typeof checkpoint === 'number' ? checkpoint : 0;
      return { items: Array.from({ length: upTo.n - from }, (_, i) => from + i + 1), checkpoint: upTo.n };
    },
  };
}

const stores: Array<[string, () => CheckpointStore]> = [
  ['MemoryCheckpointStore', () => new MemoryCheckpointStore()],
  ['SqliteCheckpointStore', () => sqliteStore().store],
];

describe.each(stores)('%s', (_name, make) => {
  test('should return null before the first checkpoint and the last value after', async () => {
    const store = make();
    expect(await store.get('rss-a')).toBeNull();
    await store.set('rss-a', { newest: '2025-03-01T00:00:00.000Z', ids: ['a', '文章'] });
    await store.set('rss-a', { newest: '2025-03-02T00:00:00.000Z', ids: ['b'] });
    await store.set('hn-b', 17);
    expect(await store.get('rss-a')).toEqual({ newest: '2025-03-02T00:00:00.000Z', ids: ['b'] });
    expect(await store.get('hn-b')).toBe(17);
  });

  test('should not let a caller change the stored value through what get returned', async () => {
    const store = make();
    await store.set('s', { ids: ['a'] });
    const got = (await store.get('s')) as { ids: string[] };
    got.ids.push('b');
    expect(await store.get('s')).toEqual({ ids: ['a'] });
  });

  test('runWithCheckpoint should hand over only new items and save the checkpoint after they are accepted', async () => {
    const store = make();
    const upTo = { n: 3 };
    const src = counter(upTo);
    const signal = new AbortController().signal;
    const seen: unknown[][] = [];
    await runWithCheckpoint(src, store, signal, async (items) => seen.push(items));
    upTo.n = 5;
    await expect(runWithCheckpoint(src, store, signal, async () => { throw new Error('ingest down'); })).rejects.toThrow('ingest down');
    await runWithCheckpoint(src, store, signal, async (items) => seen.push(items));
    expect(seen).toEqual([[1, 2, 3], [4, 5]]);
    expect(await store.get('counter')).toBe(5);
  });
});

describe('SqliteCheckpointStore', () => {
  test('should keep checkpoints across restarts in source_checkpoints', async () => {
    const { store, file, db } = sqliteStore();
    await store.set('rss-a', { newest: 'x' });
    db.close();
    const again = openDb(file);
    try {
      expect(await new SqliteCheckpointStore(again).get('rss-a')).toEqual({ newest: 'x' });
      const row = again.prepare('SELECT source_id, value, updated_at FROM source_checkpoints').get() as Record<string, string>;
      expect(row.source_id).toBe('rss-a');
      expect(Number.isNaN(Date.parse(row.updated_at!))).toBe(false);
    } finally {
      again.close();
    }
  });

  test('runWithCheckpoint should simply run sources without checkpoints', async () => {
    const plain: Source = { id: 'plain', kind: 'demo', run: async () => ['x'] };
    const store = new MemoryCheckpointStore();
    expect(await runWithCheckpoint(plain, store, new AbortController().signal, async (items) => items)).toEqual(['x']);
    expect(await store.get('plain')).toBeNull();
  });
});
