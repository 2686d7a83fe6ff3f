import type { Redis } from 'ioredis';
import { redisCall } from '../store/redis/connection.ts';
import type { CheckpointStore, Json } from './checkpoint.ts';

/** Checkpoints in Redis for the cluster mode: one hash, source id → JSON text, under the deployment's prefix. */
export class RedisCheckpointStore implements CheckpointStore {
  private readonly key: string;

  constructor(private readonly redis: Redis, opts: { prefix?: string } = {}) {
    this.key = `${opts.prefix ?? 'allears'}:checkpoints`;
  }

  async get(sourceId: string): Promise<Json | null> {
    const text = await redisCall('reading a checkpoint', () => this.redis.hget(this.key, sourceId));
    return text === null ? null : (JSON.parse(text) as Json);
  }

  async set(sourceId: string, value: Json): Promise<void> {
    await redisCall('saving a checkpoint', () => this.redis.hset(this.key, sourceId, JSON.stringify(value)));
  }
}
