import { describe, expect, test } from 'vitest';
import { feedbackId } from '../../model/index.ts';
import { makeItems } from '../helpers/items.ts';
import { freePort, startAllears, stop, writeConfig } from '../helpers/server.ts';
import { getJson, tempDir, waitFor } from '../helpers/tmp.ts';

describe('crash safety (embedded)', () => {
  test('every item accepted with 202 is indexed exactly once after a SIGKILL and a restart', async () => {
    const t = tempDir();
    const env = {
      ALLEARS_DATA_DIR: t.dir,
      ALLEARS_CONFIG: writeConfig(t.dir, (c) => { c.sources = []; (c.worker as Record<string, unknown>).batchSize = 100; }),
    };
    const port = await freePort();
    const first = await startAllears('start', env, port);

    const accepted = new Set<string>();
    const sent = new Set<string>();
    let batch = 0;
    let killed = false;
    // Ingest continuously from a client; kill the server at a random moment while it works.
    const client = (async () => {
      while (!killed) {
        const items = makeItems(200, { prefix: `crash${batch}`, source: 'crash' });
        batch++;
        for (const it of items) sent.add(feedbackId('crash', it.externalId));
        try {
          const res = await fetch(`${first.url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(items) });
          if (res.status === 202) for (const id of ((await res.json()) as { ids: string[] }).ids) accepted.add(id);
        } catch {
          // The connection died with the server: that request was never acknowledged.
        }
      }
    })();
    await waitFor(() => accepted.size >= 1000, { timeoutMs: 30_000, what: 'some accepted items' });
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 1500));
    first.child.kill('SIGKILL');
    killed = true;
    await new Promise((r) => first.child.once('exit', r));
    await client;
    expect(accepted.size).toBeGreaterThan(0);

    const second = await startAllears('start', env, port);
    try {
      const get = (path: string) => getJson(`${second.url}${path}`);
      await waitFor(async () => {
        const q = await get('/api/queue');
        return q.queues.every((s: { waiting: number; active: number; delayed: number }) => s.waiting + s.active + s.delayed === 0);
      }, { timeoutMs: 120_000, what: 'queue to drain after restart' });
      const total = (await get('/api/feedback?source=crash&includeDuplicates=true&limit=1')).total as number;
      // Acknowledged items are all there; an unacknowledged in-flight request may have landed too.
      expect(total).toBeGreaterThanOrEqual(accepted.size);
      expect(total).toBeLessThanOrEqual(sent.size);
      const ids = [...accepted];
      for (let k = 0; k < 40; k++) {
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        const item = await get(`/api/feedback/${id}`);
        expect(item.id).toBe(id);
        // Exactly once: its unique marker matches one document, not two.
        const marker = (item.text as string).split('#')[1]!;
        const hits = await get(`/api/feedback?source=crash&includeDuplicates=true&q=${encodeURIComponent(marker)}`);
        expect(hits.total).toBe(1);
      }
      const dead = (await get('/api/queue')).queues.reduce((s: number, q: { dead: number }) => s + q.dead, 0);
      expect(dead).toBe(0);
    } finally {
      await stop(second);
      t.cleanup();
    }
  }, 180_000);
});
