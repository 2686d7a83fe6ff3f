import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { CheckpointStore } from '../../crawlers/checkpoint.ts';

export interface CheckpointFixture {
  store: CheckpointStore;
  /** Another store on the same storage (another process, or this one restarted); null for memory. */
  another: (() => CheckpointStore) | null;
  cleanup: () => Promise<void>;
}

/** One suite for every CheckpointStore: memory, SQLite (embedded) and Redis (cluster). */
export function checkpointStoreContract(name: string, make: () => Promise<CheckpointFixture>): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    let fx: CheckpointFixture;
    beforeEach(async () => { fx = await make(); });
    afterEach(async () => { await fx.cleanup(); });

    test('returns null before the first checkpoint and the last value after, per source', async () => {
      expect(await fx.store.get('rss-a')).toBeNull();
      await fx.store.set('rss-a', { newest: '2025-03-01T00:00:00.000Z', ids: ['a', '文章'] });
      await fx.store.set('rss-a', { newest: '2025-03-02T00:00:00.000Z', ids: ['b'] });
      await fx.store.set('hn-b', 17);
      await fx.store.set('flag', false);
      expect(await fx.store.get('rss-a')).toEqual({ newest: '2025-03-02T00:00:00.000Z', ids: ['b'] });
      expect(await fx.store.get('hn-b')).toBe(17);
      expect(await fx.store.get('flag')).toBe(false);
      expect(await fx.store.get('other')).toBeNull();
    });

    test('does not let a caller change the stored value through what get returned', async () => {
      await fx.store.set('s', { ids: ['a'] });
      const got = (await fx.store.get('s')) as { ids: string[] };
      got.ids.push('b');
      expect(await fx.store.get('s')).toEqual({ ids: ['a'] });
    });

    test('is shared by every store on the same storage', async () => {
      if (!fx.another) return;
      await fx.store.set('src', { page: 3 });
      const other = fx.another();
      expect(await other.get('src')).toEqual({ page: 3 });
      await other.set('src', { page: 4 });
      expect(await fx.store.get('src')).toEqual({ page: 4 });
    });
  });
}
