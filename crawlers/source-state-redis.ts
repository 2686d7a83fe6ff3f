import type { Redis } from 'ioredis';
import { redisCall } from '../store/redis/connection.ts';
import type { SourceHealth } from './source.ts';
import { MAX_EVENTS, type EventQuery, type HealthEvent, type NewHealthEvent, type SourceStateStore } from './source-state.ts';

/**
 * Source health and health events in Redis for the cluster mode: a hash of health records by source
 * id, and a sorted set of events scored by a sequence number from INCR (so any role can page with `after`).
 */
export class RedisSourceStateStore implements SourceStateStore {
  private readonly healthKey: string;
  private readonly eventsKey: string;
  private readonly seqKey: string;

  constructor(private readonly redis: Redis, opts: { prefix?: string } = {}) {
    const prefix = opts.prefix ?? 'allears';
    this.healthKey = `${prefix}:source-health`;
    this.eventsKey = `${prefix}:source-events`;
    this.seqKey = `${prefix}:source-events:seq`;
  }

  async saveHealth(health: SourceHealth): Promise<void> {
    await redisCall('saving source health', () => this.redis.hset(this.healthKey, health.id, JSON.stringify(health)));
  }

  async listHealth(): Promise<SourceHealth[]> {
    const all = await redisCall('reading source health', () => this.redis.hgetall(this.healthKey));
    return Object.keys(all).sort().map((id) => JSON.parse(all[id]!) as SourceHealth);
  }

  async addEvent(event: NewHealthEvent): Promise<HealthEvent> {
    const seq = await redisCall('numbering a health event', () => this.redis.incr(this.seqKey));
    const stored: HealthEvent = { ...event, seq };
    await redisCall('storing a health event', () => this.redis.multi()
      .zadd(this.eventsKey, seq, JSON.stringify(stored))
      .zremrangebyscore(this.eventsKey, '-inf', seq - MAX_EVENTS)
      .exec());
    return stored;
  }

  async events({ after = 0, source, limit = 100 }: EventQuery = {}): Promise<HealthEvent[]> {
    const out: HealthEvent[] = [];
    let from = after;
    // Filtering by source happens here, so read in pages until the limit is met or the log ends.
    for (;;) {
      const page = await redisCall('reading health events', () => this.redis.zrangebyscore(this.eventsKey, `(${from}`, '+inf', 'LIMIT', 0, 500));
      for (const text of page) {
        const e = JSON.parse(text) as HealthEvent;
        from = e.seq;
        if (source === undefined || e.source === source) out.push(e);
        if (out.length >= limit) return out;
      }
      if (page.length < 500) return out;
    }
  }
}
