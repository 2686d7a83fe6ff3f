import type { Redis } from 'ioredis';
import { describe, test } from 'vitest';
import { RedisCheckpointStore } from '../../crawlers/checkpoint-redis.ts';
import { connectRedis } from '../../store/redis/connection.ts';
import { dropPrefix, TEST_REDIS_URL, testRedisAvailable, uniquePrefix } from '../helpers/redis.ts';
import { checkpointStoreContract } from './checkpoint-store.contract.ts';

const available = await testRedisAvailable('the Redis checkpoint store contract');

if (available) {
  checkpointStoreContract('Redis', async () => {
    const prefix = uniquePrefix();
    const clients: Redis[] = [];
    const make = () => {
      const c = connectRedis({ url: TEST_REDIS_URL });
      clients.push(c);
      return new RedisCheckpointStore(c, { prefix });
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
  describe.skip('CheckpointStore contract: Redis (no Redis)', () => {
    test('needs Redis', () => undefined);
  });
}
