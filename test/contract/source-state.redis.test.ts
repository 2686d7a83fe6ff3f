import { describe, test } from 'vitest';
import { RedisSourceStateStore } from '../../crawlers/source-state-redis.ts';
import { redisStoreFixture, testRedisAvailable } from '../helpers/redis.ts';
import { sourceStateContract } from './source-state.contract.ts';

const available = await testRedisAvailable('the Redis source state contract');

if (available) {
  sourceStateContract('Redis', redisStoreFixture((client, prefix) => new RedisSourceStateStore(client, { prefix })));
} else {
  describe.skip('SourceStateStore contract: Redis (no Redis)', () => {
    test('needs Redis', () => undefined);
  });
}
