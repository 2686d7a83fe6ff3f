import type { Redis } from 'ioredis';
import { describe, test } from 'vitest';
import { RedisSourceStateStore } from '../../crawlers/source-state-redis.ts';
import { connectRedis } from '../../store/redis/connection.ts';
import { dropPrefix, TEST_REDIS_URL, testRedisAvailable, uniquePrefix } from '../helpers/redis.ts';
import { sourceStateContract } from './source-state.contract.ts';

const available = await testRedisAvailable('the Redis source state contract');

if (available) {
  sourceStateContract('Redis', async () => {
    const prefix = uniquePrefix();
    const clients: Redis[] = [];
    const make = () => {
      const c = connectRedis({ url: TEST_REDIS_URL });
      clients.push(c);
      return new RedisSourceStateStore(c, { prefix });
    };
    return {
      store: make(),
      another: make,
      cleanup: async () => {
        for (const c of clients) c.disconnect();
        await dropPrefix(TEST_REDIS_URL, prefix);
      },
    };
  });
} else {
  describe.skip('SourceStateStore contract: Redis (no Redis)', () => {
    test('needs Redis', () => undefined);
  });
}
