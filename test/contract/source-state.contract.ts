import { afterEach, describe, expect, test } from 'vitest';
import type { SourceHealth } from '../../crawlers/source.ts';
import type { SourceStateStore } from '../../crawlers/source-state.ts';

export interface SourceStateFixture {
  store: SourceStateStore;
  /** A second handle on the same storage, as another process would open it. */
  another: () => SourceStateStore;
  cleanup: () => Promise<void>;
}

const health = (id: string, over: Partial<SourceHealth> = {}): SourceHealth => ({
  id, kind: 'rss', status: 'ok', schedule: 60_000, staleAfter: 86_400_000, lastRunAt: '2026-03-01T08:00:00.000Z',
  lastSuccessAt: '2026-03-01T08:00:00.000Z', lastError: null, lastItemAt: '2026-03-01T08:00:00.000Z', lastItems: 3,
  recentItems: [1, 3], consecutiveFailures: 0, lastWarnings: ['1 item skipped: text: must not be empty'], running: false, ...over,
});

/** The one contract every SourceStateStore adapter passes. */
export function sourceStateContract(name: string, open: () => Promise<SourceStateFixture>): void {
  describe(`SourceStateStore contract: ${name}`, () => {
    let f: SourceStateFixture | undefined;
    afterEach(async () => {
      await f?.cleanup();
      f = undefined;
    });

    test('health is replaced per source and read back whole, by any handle, in id order', async () => {
      f = await open();
      await f.store.saveHealth(health('shop'));
      await f.store.saveHealth(health('forum', { status: 'failing', lastError: 'HTTP 503', consecutiveFailures: 2 }));
      await f.store.saveHealth(health('shop', { lastItems: 7, recentItems: [1, 3, 7] }));
      const read = await f.another().listHealth();
      expect(read.map((h) => h.id)).toEqual(['forum', 'shop']);
      expect(read[0]).toEqual(health('forum', { status: 'failing', lastError: 'HTTP 503', consecutiveFailures: 2 }));
      expect(read[1]).toEqual(health('shop', { lastItems: 7, recentItems: [1, 3, 7] }));
    });

    test('events get increasing sequence numbers and page by `after`, `source` and `limit`, oldest first', async () => {
      f = await open();
      const other = f.another();
      const at = '2026-03-01T08:00:00.000Z';
      const a = await f.store.addEvent({ at, source: 'forum', kind: 'rss', type: 'source_failing', message: 'source forum failed: HTTP 503' });
      const b = await other.addEvent({ at, source: 'shop', kind: 'webhook', type: 'source_stale', message: 'quiet' });
      const c = await f.store.addEvent({ at, source: 'forum', kind: 'rss', type: 'source_recovered', message: 'working again' });
      expect(a.seq).toBeLessThan(b.seq);
      expect(b.seq).toBeLessThan(c.seq);
      const all = await other.events();
      expect(all).toEqual([a, b, c]);
      expect(await f.store.events({ after: a.seq })).toEqual([b, c]);
      expect(await f.store.events({ source: 'forum' })).toEqual([a, c]);
      expect(await f.store.events({ source: 'forum', after: a.seq })).toEqual([c]);
      expect(await f.store.events({ limit: 2 })).toEqual([a, b]);
      expect(await f.store.events({ after: c.seq })).toEqual([]);
    });
  });
}
