import { describe, test } from 'vitest';
import { RedisCheckpointStore } from '../../crawlers/checkpoint-redis.ts';
import { redisStoreFixture, testRedisAvailable } from '../helpers/redis.ts';
import { checkpointStoreContract } from './checkpoint-store.contract.ts';

const available = await testRedisAvailable('the Redis checkpoint store contract');

if (available) {
  checkpointStoreContract('Redis', redisStoreFixture((client, prefix) => new RedisCheckpointStore(client, { prefix })));
} else {
  describe.skip('CheckpointStore contract: Redis (no Redis)', () => {
    test('needs Redis', () => undefined);
  });
}
