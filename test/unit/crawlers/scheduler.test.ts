import { describe, expect, test } from 'vitest';
import { createLogger } from '../../../config/logger.ts';
import type { SourceConfig } from '../../../config/schema.ts';
import { MemoryCheckpointStore, type IncrementalSource, type Json } from '../../../crawlers/checkpoint.ts';
import { Scheduler } from '../../../crawlers/scheduler.ts';
import type { SourceFactory } from '../../../crawlers/source.ts';
import type { Ingestor } from '../../../pipeline/ingest.ts';

/** An ingest door that records what it was given. */
function recordingIngestor(fail = false) {
  const batches: unknown[][] = [];
  const ingestor = {
    async submit(items: readonly unknown[]) {
      if (fail) throw new Error('queue unavailable');
      batches.push([...items]);
      return { accepted: items.length, rejected: 0, ids: [], errors: [] };
    },
  } as unknown as Ingestor;
  return { ingestor, batches };
}

/** A source over a growing list of posts: each run returns the posts after the checkpoint. */
function listSource(posts: number[], failWith?: () => string | undefined): SourceFactory {
  return (cfg) => ({
    id: cfg.id,
    kind: cfg.kind,
    run: async () => posts,
    async runFrom({ checkpoint }) {
      const err = failWith?.();
      if (err) throw new Error(err);
      const after = typeof checkpoint === 'number' ? checkpoint : -1;
      const items = posts.filter((p) => p > after);
      return { items, checkpoint: (items.length ? Math.max(...items) : after) as Json };
    },
  }) satisfies IncrementalSource;
}

const cfg = (id: string, kind = 'list'): SourceConfig => ({ id, kind, enabled: true, schedule: 60_000, options: {} });
const log = createLogger('silent');

describe('Scheduler', () => {
  test('a second run yields only what is new, and the checkpoint moves after the items are queued', async () => {
    const posts = [1, 2, 3];
    const { ingestor, batches } = recordingIngestor();
    const checkpoints = new MemoryCheckpointStore();
    const s = new Scheduler([cfg('forum')], { list: listSource(posts) }, ingestor, log, checkpoints);
    expect(await s.runNow('forum')).toBe(3);
    posts.push(4, 5);
    expect(await s.runNow('forum')).toBe(2);
    expect(batches).toEqual([[1, 2, 3], [4, 5]]);
    expect(await checkpoints.get('forum')).toBe(5);
    expect(s.health()[0]).toMatchObject({ id: 'forum', lastItems: 2, lastError: null, consecutiveFailures: 0 });
  });

  test('a source that starts failing is reported unhealthy with its error, and recovers', async () => {
    let error: string | undefined;
    const { ingestor } = recordingIngestor();
    const s = new Scheduler([cfg('forum')], { list: listSource([1], () => error) }, ingestor, log, new MemoryCheckpointStore());
    await s.runNow('forum');
    error = 'HTTP 503 from forum.example';
    await expect(s.runNow('forum')).rejects.toThrow('503');
    await expect(s.runNow('forum')).rejects.toThrow('503');
    expect(s.health()[0]).toMatchObject({ lastError: 'HTTP 503 from forum.example', consecutiveFailures: 2 });
    error = undefined;
    await s.runNow('forum');
    expect(s.health()[0]).toMatchObject({ lastError: null, consecutiveFailures: 0 });
  });

  test('keeps the checkpoint where it was when the items could not be queued', async () => {
    const { ingestor } = recordingIngestor(true);
    const checkpoints = new MemoryCheckpointStore();
    await checkpoints.set('forum', 1);
    const s = new Scheduler([cfg('forum')], { list: listSource([1, 2, 3]) }, ingestor, log, checkpoints);
    await expect(s.runNow('forum')).rejects.toThrow('queue unavailable');
    expect(await checkpoints.get('forum')).toBe(1);
  });

  test('a source that cannot be set up is reported and does not stop the others', async () => {
    const { ingestor } = recordingIngestor();
    const broken: SourceFactory = () => { throw new Error('sources.bad.options.url: expected a URL'); };
    const s = new Scheduler([cfg('bad', 'broken'), cfg('nokind', 'pigeon'), cfg('forum')], { list: listSource([1]), broken }, ingestor, log, new MemoryCheckpointStore());
    expect(await s.runNow('forum')).toBe(1);
    const health = Object.fromEntries(s.health().map((h) => [h.id, h]));
    expect(health.bad!.lastError).toContain('options.url');
    expect(health.nokind!.lastError).toContain('no connector for source kind "pigeon"');
    expect(health.forum!.lastError).toBeNull();
  });

  test('stop waits for a run asked for by hand', async () => {
    let release!: () => void;
    const slow: SourceFactory = (c) => ({
      id: c.id, kind: c.kind,
      run: () => new Promise<unknown[]>((resolve) => { release = () => resolve([1]); }),
    });
    const { ingestor, batches } = recordingIngestor();
    const s = new Scheduler([cfg('slow', 'slow')], { slow }, ingestor, log, new MemoryCheckpointStore());
    const run = s.runNow('slow');
    let stopped = false;
    const stopping = s.stop().then(() => { stopped = true; });
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await run).toBe(1);
    expect(batches).toEqual([[1]]);
  });
});
