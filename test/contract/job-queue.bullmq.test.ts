import { Redis } from 'ioredis';
import { describe, expect, test } from 'vitest';
import { AllearsError, TransientError } from '../../model/index.ts';
import { BullmqQueue } from '../../pipeline/queue/bullmq.ts';
import { dropPrefix, TEST_REDIS_URL, testRedisAvailable, uniquePrefix } from '../helpers/redis.ts';
import { waitFor } from '../helpers/tmp.ts';
import { jobQueueContract } from './job-queue.contract.ts';

const available = await testRedisAvailable('the BullMQ job queue contract');

if (available) {
  jobQueueContract('BullMQ on Redis', async () => {
    const prefix = uniquePrefix();
    const queue = new BullmqQueue({
      url: TEST_REDIS_URL,
      prefix,
      idleBlockSeconds: 0.1,
      slowdown: { initialMs: 20, maxMs: 200 },
    });
    return { queue, cleanup: () => dropPrefix(TEST_REDIS_URL, prefix) };
  });
} else {
  describe.skip('JobQueue contract: BullMQ on Redis (no Redis)', () => {
    test('needs Redis', () => undefined);
  });
}

describe.skipIf(!available)('BullmqQueue beyond the contract', () => {
  test('a retryable failure makes every worker of the queue hold off before taking the next job', async () => {
    const prefix = uniquePrefix();
    const queue = new BullmqQueue({ url: TEST_REDIS_URL, prefix, idleBlockSeconds: 0.1, slowdown: { initialMs: 3000, maxMs: 3000 } });
    const redis = new Redis(TEST_REDIS_URL);
    try {
      let calls = 0;
      await queue.addBulk('q', [{ n: 1 }, { n: 2 }, { n: 3 }], { maxAttempts: 3, backoffMs: 1 });
      const w = queue.work('q', async () => {
        calls++;
        throw new TransientError('index unreachable');
      });
      await waitFor(async () => (await redis.pttl(`${prefix}:q:limiter`)) > 0, { what: 'the rate limit to be set' });
      await new Promise((r) => setTimeout(r, 300));
      const seen = calls;
      // Read after `calls`: the limit still holding now means it held all along.
      expect(await redis.pttl(`${prefix}:q:limiter`)).toBeGreaterThan(0);
      expect(seen).toBe(1);
      await w.close();
    } finally {
      redis.disconnect();
      await queue.close();
      await dropPrefix(TEST_REDIS_URL, prefix);
    }
  });

  test('lists every queue in stats, also one only another process used, and reports batch sizes of dead letters', async () => {
    const prefix = uniquePrefix();
    const a = new BullmqQueue({ url: TEST_REDIS_URL, prefix });
    const b = new BullmqQueue({ url: TEST_REDIS_URL, prefix });
    try {
      await a.add('x', { items: [1, 2, 3] });
      await a.add('y', [1, 2]);
      await a.add('y', { later: true }, { delayMs: 60_000 });
      expect((await b.stats()).map((s) => [s.queue, s.waiting, s.delayed])).toEqual([['x', 1, 0], ['y', 1, 1]]);
      const w = b.work('x', async () => { throw new AllearsError('bad_data', 'cannot parse', { retryable: false }); });
      await waitFor(async () => (await b.deadLetters('x')).length === 1);
      await w.close();
      expect((await a.deadLetters('x'))[0]).toMatchObject({ queue: 'x', attempts: 1, size: 3 });
      expect((await a.deadLetters('x'))[0]!.error).toContain('AllearsError: cannot parse');
      expect(await a.retryDead('x', 'no-such-job')).toBe(false);
    } finally {
      await a.close();
      await b.close();
      await dropPrefix(TEST_REDIS_URL, prefix);
    }
  });

  test('reports connection errors to onError and still closes when Redis is unreachable', async () => {
    const queue = new BullmqQueue({ url: 'redis://127.0.0.1:1', prefix: uniquePrefix(), retryDelayMs: 50, closeGraceMs: 200 });
    const errors: Error[] = [];
    const w = queue.work('q', async () => undefined, { onError: (e) => errors.push(e) });
    await waitFor(() => errors.length > 0, { what: 'a connection error' });
    await w.close();
    await queue.close();
    await expect(queue.add('q', {})).rejects.toMatchObject({ retryable: true });
    await queue.close();
  });
});
