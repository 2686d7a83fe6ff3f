import { describe, expect, test } from 'vitest';
import { createLogger } from '../../../config/logger.ts';
import type { SourceConfig } from '../../../config/schema.ts';
import { MemoryCheckpointStore, type IncrementalSource, type Json } from '../../../crawlers/checkpoint.ts';
import { CRAWL_QUEUE, SourceDirectory } from '../../../crawlers/directory.ts';
import { Scheduler, defaultStaleAfter } from '../../../crawlers/scheduler.ts';
import type { SourceFactory } from '../../../crawlers/source.ts';
import { MemorySourceStateStore } from '../../../crawlers/source-state.ts';
import type { Ingestor } from '../../../pipeline/ingest.ts';
import { LocalJobQueue } from '../../../pipeline/queue/local.ts';
import { openDb } from '../../../store/sqlite/db.ts';
import { tempDir } from '../../helpers/tmp.ts';

const log = createLogger('silent');
const ingestor = {
  async submit(items: readonly unknown[]) {
    return { accepted: items.length, rejected: 0, ids: [], errors: [] };
  },
} as unknown as Ingestor;

/** A source whose next run returns `next.items` new posts, or fails with `next.error`. */
function scripted(next: { items: number; error?: string }): SourceFactory {
  let n = 0;
  return (cfg) => ({
    id: cfg.id,
    kind: cfg.kind,
    run: async () => [],
    async runFrom() {
      if (next.error) throw new Error(next.error);
      const items = Array.from({ length: next.items }, () => ++n);
      return { items, checkpoint: n as Json, warnings: next.items === 0 ? [] : [`${next.items} fetched`] };
    },
  }) satisfies IncrementalSource;
}

const HOUR = 3_600_000;
const cfg = (over: Partial<SourceConfig> = {}): SourceConfig => ({ id: 'forum', kind: 'scripted', enabled: true, schedule: HOUR, options: {}, ...over });

function clock(start = Date.parse('2026-03-01T00:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => { t += ms; } };
}

describe('source health and health events', () => {
  test('default stale time is ten schedules and at least a day; an explicit one wins; unscheduled sources never go stale', () => {
    expect(defaultStaleAfter(cfg({ schedule: HOUR }))).toBe(24 * HOUR);
    expect(defaultStaleAfter(cfg({ schedule: 6 * HOUR }))).toBe(60 * HOUR);
    expect(defaultStaleAfter(cfg({ staleAfter: 2 * HOUR }))).toBe(2 * HOUR);
    expect(defaultStaleAfter(cfg({ schedule: undefined }))).toBeNull();
  });

  test('failing, recovered and stale are reported with events, in order, and kept in the state store', async () => {
    const next = { items: 3 } as { items: number; error?: string };
    const c = clock();
    const state = new MemorySourceStateStore();
    const s = new Scheduler([cfg({ staleAfter: 2 * HOUR })], { scripted: scripted(next) }, ingestor, log, new MemoryCheckpointStore(), { state, now: c.now });
    expect(s.health()[0]!.status).toBe('waiting');

    await s.runNow('forum');
    expect(s.health()[0]).toMatchObject({ status: 'ok', lastItems: 3, recentItems: [3], lastWarnings: ['3 fetched'] });

    next.error = 'HTTP 503 from forum.example';
    await expect(s.runNow('forum')).rejects.toThrow('503');
    expect(s.health()[0]).toMatchObject({ status: 'failing', lastError: 'HTTP 503 from forum.example', consecutiveFailures: 1 });

    next.error = undefined;
    next.items = 0;
    c.advance(HOUR);
    await s.runNow('forum');
    expect(s.health()[0]).toMatchObject({ status: 'ok', lastItems: 0, recentItems: [3, 0] });

    // Runs keep succeeding but nothing new comes: the layout changed, or the key was revoked.
    c.advance(2 * HOUR);
    await s.runNow('forum');
    expect(s.health()[0]!.status).toBe('stale');

    next.items = 1;
    await s.runNow('forum');
    expect(s.health()[0]!.status).toBe('ok');

    const events = await state.events();
    expect(events.map((e) => e.type)).toEqual(['source_failing', 'source_recovered', 'source_stale', 'source_recovered']);
    expect(events[0]!.message).toContain('HTTP 503 from forum.example');
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    await new Promise((r) => setImmediate(r));
    expect((await state.listHealth())[0]).toMatchObject({ id: 'forum', status: 'ok', recentItems: [3, 0, 0, 1] });
  });

  test('a source quiet between runs turns stale on the periodic check, without running', async () => {
    const c = clock();
    const state = new MemorySourceStateStore();
    const s = new Scheduler([cfg({ staleAfter: HOUR, schedule: undefined })], { scripted: scripted({ items: 2 }) }, ingestor, log, new MemoryCheckpointStore(), { state, now: c.now });
    s.recordPush('forum', 2, null);
    s.checkStale();
    expect(s.health()[0]!.status).toBe('ok');
    c.advance(HOUR + 1);
    s.checkStale();
    expect(s.health()[0]!.status).toBe('stale');
    expect((await state.events()).map((e) => e.type)).toEqual(['source_stale']);
    s.recordPush('forum', 0, 'no valid items: 1 rejected');
    expect(s.health()[0]).toMatchObject({ status: 'failing', lastError: 'no valid items: 1 rejected' });
  });

  test('a source that cannot be set up raises a broken event', async () => {
    const state = new MemorySourceStateStore();
    const s = new Scheduler([cfg({ kind: 'nope' })], {}, ingestor, log, new MemoryCheckpointStore(), { state });
    expect(s.health()[0]).toMatchObject({ status: 'broken' });
    const [event] = await state.events();
    expect(event).toMatchObject({ type: 'source_broken', source: 'forum' });
    expect(event!.message).toContain('no connector for source kind "nope"');
  });
});

describe('SourceDirectory', () => {
  test('merges the stored health written by another process with its own, the latest run winning', async () => {
    const state = new MemorySourceStateStore();
    const checkpoints = new MemoryCheckpointStore();
    const sources = [cfg(), cfg({ id: 'shop' }), cfg({ id: 'off', enabled: false })];
    // Another process (the crawler role) ran "forum" and stored what it saw.
    const crawler = new Scheduler(sources, { scripted: scripted({ items: 4 }) }, ingestor, log, checkpoints, { state });
    await crawler.runNow('forum');
    await new Promise((r) => setImmediate(r));
    // This process (the API role) runs nothing itself.
    const mine = new Scheduler(sources, { scripted: scripted({ items: 1 }) }, ingestor, log, checkpoints, {});
    const dir = new SourceDirectory(sources, state, checkpoints, { scheduler: mine, runs: false }, null);
    const views = Object.fromEntries((await dir.list()).map((v) => [v.id, v]));
    expect(views.forum).toMatchObject({ status: 'ok', lastItems: 4, checkpoint: 4, enabled: true });
    expect(views.shop).toMatchObject({ status: 'waiting', checkpoint: null });
    expect(views.off).toMatchObject({ enabled: false, status: 'waiting' });
    expect(await dir.refusal('off')).toMatch(/disabled/);
    expect(await dir.refusal('forum')).toBeNull();
  });

  test('a run asked for where no crawler runs goes on the crawl queue', async () => {
    const t = tempDir();
    const queue = new LocalJobQueue(openDb(`${t.dir}/q.db`));
    try {
      const sources = [cfg()];
      const idle = new Scheduler(sources, { scripted: scripted({ items: 1 }) }, ingestor, log, new MemoryCheckpointStore(), {});
      const dir = new SourceDirectory(sources, new MemorySourceStateStore(), new MemoryCheckpointStore(), { scheduler: idle, runs: false }, queue);
      expect(await dir.run('forum')).toBe('queued');
      expect((await queue.stats()).find((q) => q.queue === CRAWL_QUEUE)).toMatchObject({ waiting: 1 });
      expect(idle.health()[0]!.lastRunAt).toBeNull();
      const local = new SourceDirectory(sources, new MemorySourceStateStore(), new MemoryCheckpointStore(), { scheduler: idle, runs: true }, queue);
      expect(await local.run('forum')).toBe('local');
    } finally {
      await queue.close();
      t.cleanup();
    }
  });
});
