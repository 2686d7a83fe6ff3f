import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AllearsError, TransientError } from '../../model/index.ts';
import type { Job, JobQueue } from '../../pipeline/queue/port.ts';
import { waitFor } from '../helpers/tmp.ts';

export interface QueueFixture {
  queue: JobQueue;
  cleanup: () => Promise<void>;
}

/** One suite for every JobQueue adapter: the embedded jobs table now, BullMQ on Redis later. */
export function jobQueueContract(name: string, make: () => Promise<QueueFixture>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let fx: QueueFixture;
    let q: string;
    beforeEach(async () => {
      fx = await make();
      q = `test-${randomUUID()}`;
    });
    afterEach(async () => {
      await fx.queue.close();
      await fx.cleanup();
    });

    const depth = async () => (await fx.queue.stats()).find((s) => s.queue === q) ?? { waiting: 0, active: 0, delayed: 0, dead: 0 };

    test('delivers each job once with its data and forgets it after success', async () => {
      const seen: number[] = [];
      await fx.queue.addBulk(q, [{ n: 1 }, { n: 2 }, { n: 3 }]);
      const w = fx.queue.work<{ n: number }>(q, async (job) => { seen.push(job.data.n); });
      await waitFor(() => seen.length === 3);
      await w.close();
      expect(seen.sort()).toEqual([1, 2, 3]);
      const d = await depth();
      expect(d.waiting + d.active + d.delayed + d.dead).toBe(0);
    });

    test('retries a failing job with a growing attempt number until it succeeds', async () => {
      const attempts: number[] = [];
      await fx.queue.add(q, { x: 1 }, { maxAttempts: 5, backoffMs: 5 });
      const w = fx.queue.work(q, async (job) => {
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new TransientError('index busy');
      });
      await waitFor(() => attempts.length === 3);
      await w.close();
      expect(attempts).toEqual([1, 2, 3]);
      expect((await depth()).dead).toBe(0);
    });

    test('moves a job out of attempts to the dead letters, with its error, and can retry it', async () => {
      const dead: Job<unknown>[] = [];
      let fail = true;
      const id = await fx.queue.add(q, { items: [1, 2] }, { maxAttempts: 2, backoffMs: 5 });
      const w = fx.queue.work(q, async () => { if (fail) throw new Error('disk on fire'); }, { onDead: (job) => dead.push(job) });
      await waitFor(() => dead.length === 1);
      expect((await depth()).dead).toBe(1);
      const letters = await fx.queue.deadLetters(q);
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ id, attempts: 2, size: 2 });
      expect(letters[0]!.error).toContain('disk on fire');

      fail = false;
      expect(await fx.queue.retryDead(q, id)).toBe(true);
      await waitFor(async () => (await depth()).dead === 0 && (await depth()).waiting === 0 && (await depth()).active === 0);
      await w.close();
      expect(await fx.queue.retryDead(q, id)).toBe(false);
    });

    test('sends a job that failed with a non-retryable error straight to the dead letters', async () => {
      let calls = 0;
      await fx.queue.add(q, {}, { maxAttempts: 5, backoffMs: 5 });
      const w = fx.queue.work(q, async () => {
        calls++;
        throw new AllearsError('bad_data', 'item cannot be processed', { status: 400, retryable: false });
      });
      await waitFor(async () => (await depth()).dead === 1);
      await w.close();
      expect(calls).toBe(1);
    });

    test('processes every job exactly once with several concurrent handlers', async () => {
      const n = 60;
      const seen = new Map<number, number>();
      await fx.queue.addBulk(q, Array.from({ length: n }, (_, i) => ({ i })));
      const w = fx.queue.work<{ i: number }>(q, async (job) => {
        await new Promise((r) => setTimeout(r, 1));
        seen.set(job.data.i, (seen.get(job.data.i) ?? 0) + 1);
      }, { concurrency: 4 });
      await waitFor(() => seen.size === n);
      await w.close();
      expect([...seen.values()].every((c) => c === 1)).toBe(true);
    });

    test('close waits for the job in hand to finish', async () => {
      let finished = false;
      let started = false;
      await fx.queue.add(q, {});
      const w = fx.queue.work(q, async () => {
        started = true;
        await new Promise((r) => setTimeout(r, 100));
        finished = true;
      });
      await waitFor(() => started);
      await w.close();
      expect(finished).toBe(true);
    });
  });
}
