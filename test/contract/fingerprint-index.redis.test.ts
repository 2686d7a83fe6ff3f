import { Redis } from 'ioredis';
import { describe, expect, test } from 'vitest';
import { connectRedis } from '../../store/redis/connection.ts';
import { RedisFingerprintIndex } from '../../store/redis/fingerprint-index.ts';
import { dropPrefix, TEST_REDIS_URL, testRedisAvailable, uniquePrefix } from '../helpers/redis.ts';
import { fingerprintIndexContract, fp } from './fingerprint-index.contract.ts';

const available = await testRedisAvailable('the Redis fingerprint index tests');

/** An index on its own prefix; `clients` are closed and the keys dropped by `done`. */
function open(opts: { windowMs?: number; holdersPerKey?: number } = {}) {
  const prefix = uniquePrefix();
  const clients: Redis[] = [];
  const make = () => {
    const c = connectRedis({ url: TEST_REDIS_URL });
    clients.push(c);
    return new RedisFingerprintIndex(c, { prefix, ...opts });
  };
  return {
    prefix,
    make,
    clients,
    done: async () => {
      for (const c of clients) c.disconnect();
      await dropPrefix(TEST_REDIS_URL, prefix);
    },
  };
}

if (available) {
  fingerprintIndexContract('Redis', async () => {
    const o = open();
    return { index: o.make(), another: o.make, cleanup: o.done };
  });

  describe('RedisFingerprintIndex', () => {
    test('forgets items published a window before the newest one, and lets a later item take the key over', async () => {
      const o = open({ windowMs: 10 * 86_400_000 });
      try {
        const index = o.make();
        await index.add([fp('old', 'h', ['b1'], '2025-01-01T00:00:00Z'), fp('next', 'h', ['b1'], '2025-01-09T00:00:00Z')]);
        expect(await index.match([fp('p', 'h', [], '2025-01-10T00:00:00Z')])).toEqual(new Map([['p', 'old']]));
        await index.add([fp('new', 'x', [], '2025-01-12T00:00:00Z')]);
        expect(await index.match([fp('p', 'h', [], '2025-01-13T00:00:00Z')])).toEqual(new Map([['p', 'next']]));
        // An item already out of the window when it arrives is not remembered at all.
        await index.add([fp('ancient', 'y', [], '2024-01-01T00:00:00Z')]);
        expect(await index.match([fp('p', 'y', [], '2025-01-13T00:00:00Z')])).toEqual(new Map());
      } finally {
        await o.done();
      }
    });

    test('gives every key and item record a time to live of the window, so Redis memory stays bounded', async () => {
      const o = open({ windowMs: 60_000 });
      try {
        await o.make().add([fp('a', 'h', ['b1', 'b2'], '2025-03-01T00:00:00Z')]);
        const c = new Redis(TEST_REDIS_URL);
        const keys = await c.keys(`${o.prefix}:fp:*`);
        const ttls = await Promise.all(keys.filter((k) => !k.endsWith(':newest')).map((k) => c.pttl(k)));
        c.disconnect();
        expect(ttls).toHaveLength(4); // the item record, the exact hash and two bands
        expect(ttls.every((t) => t > 0 && t <= 60_000)).toBe(true);
      } finally {
        await o.done();
      }
    });

    test('turns an unreachable Redis into a retryable error', async () => {
      const c = connectRedis({ url: 'redis://127.0.0.1:1' });
      const index = new RedisFingerprintIndex(c, { prefix: uniquePrefix() });
      await expect(index.match([fp('p', 'h', [], '2025-03-01T00:00:00Z')])).rejects.toMatchObject({ name: 'TransientError', retryable: true });
      c.disconnect();
    });
  });
} else {
  describe.skip('FingerprintIndex contract: Redis (no Redis)', () => {
    test('needs Redis', () => undefined);
  });
}
