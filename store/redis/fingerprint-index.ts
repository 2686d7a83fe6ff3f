import type { Redis } from 'ioredis';
import { ValidationError } from '../../model/index.ts';
import type { Fingerprint, FingerprintIndex } from '../ports.ts';
import { checkFingerprints, keysOf, originalOf } from '../fingerprint-keys.ts';
import { redisCall } from './connection.ts';

export interface RedisFingerprintIndexOptions {
  /** Namespace of the keys (default `allears`), shared with the job queue of the same deployment. */
  prefix?: string;
  /**
   * Items published this long before the newest one are forgotten, as in the embedded index; the
   * keys also expire this long after they were last written, which bounds Redis memory.
   */
  windowMs?: number;
  /**
   * Earliest items remembered per key. One would do until that item is forgotten; the next ones
   * then take the key over, as the embedded index does when it prunes.
   */
  holdersPerKey?: number;
}

const DAY = 86_400_000;



/**
 * One item, atomically: let go of the keys it held before (re-processing after an edit), move the
 * newest publication time forward, then enter the item in each of its keys' sorted sets (score =
 * published ms; equal scores order by id, as the embedded index does), dropping what fell out of the
 * window and all but the earliest holders.
 *   KEYS: item record, newest, key sets…   ARGV: id, ms, windowMs, holdersPerKey, key-set prefix, key list
 */
const ADD_SCRIPT = `
local id = ARGV[1]
local ms = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local keep = tonumber(ARGV[4])
local prev = redis.call('GET', KEYS[1])
if prev then
  local bar = string.find(prev, '|', 1, true)
  for k in string.gmatch(string.sub(prev, bar + 1), '[^,]+') do
    redis.call('ZREM', ARGV[5] .. k, id)
  end
end
local newest = tonumber(redis.call('GET', KEYS[2]))
if newest == nil or ms > newest then
  newest = ms
  redis.call('SET', KEYS[2], ARGV[2])
end
local cutoff = newest - window
if ms < cutoff then
  redis.call('DEL', KEYS[1])
  return 0
end
for i = 3, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. string.format('%d', cutoff))
  redis.call('ZADD', KEYS[i], ms, id)
  redis.call('ZREMRANGEBYRANK', KEYS[i], keep, -1)
  redis.call('PEXPIRE', KEYS[i], window)
end
redis.call('SET', KEYS[1], ARGV[2] .. '|' .. ARGV[6], 'PX', window)
return 1
`;

type AddCommand = (numKeys: number, ...args: (string | number)[]) => unknown;

/**
 * Duplicate memory for the cluster mode, shared by every worker. Per key (exact hash or band) a
 * sorted set of its earliest items; a match is the earliest in-window holder of any of the probe's
 * keys that comes before the probe. Adding is atomic per item (a Lua script), so two workers adding
 * at once keep the earliest holder. Requires a single Redis (not Redis Cluster): the script reaches
 * the keys an item held before, which it learns only from the item's record.
 */
export class RedisFingerprintIndex implements FingerprintIndex {
  private readonly windowMs: number;
  private readonly holdersPerKey: number;
  private readonly keyPrefix: string;
  private readonly itemPrefix: string;
  private readonly newestKey: string;

  constructor(private readonly redis: Redis, opts: RedisFingerprintIndexOptions = {}) {
    const prefix = opts.prefix ?? 'allears';
    this.windowMs = opts.windowMs ?? 90 * DAY;
    this.holdersPerKey = opts.holdersPerKey ?? 4;
    if (!Number.isInteger(this.windowMs) || this.windowMs <= 0) throw new ValidationError('windowMs must be a positive integer', [{ path: 'windowMs', message: `got ${this.windowMs}` }]);
    if (!Number.isInteger(this.holdersPerKey) || this.holdersPerKey < 1) throw new ValidationError('holdersPerKey must be an integer of at least 1', [{ path: 'holdersPerKey', message: `got ${this.holdersPerKey}` }]);
    this.keyPrefix = `${prefix}:fp:k:`;
    this.itemPrefix = `${prefix}:fp:i:`;
    this.newestKey = `${prefix}:fp:newest`;
    if (!(redis as unknown as Record<string, unknown>).allearsFingerprintAdd) redis.defineCommand('allearsFingerprintAdd', { lua: ADD_SCRIPT });
  }

  async match(probes: readonly Fingerprint[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (probes.length === 0) return found;
    const newest = await redisCall('reading fingerprints', () => this.redis.get(this.newestKey));
    if (newest === null) return found;
    const cutoff = Number(newest) - this.windowMs;
    const probeKeys = probes.map((p) => keysOf(p.exact, p.bands));
    const unique = [...new Set(probeKeys.flat())];
    const pipe = this.redis.pipeline();
    for (const k of unique) pipe.zrangebyscore(`${this.keyPrefix}${k}`, cutoff, '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
    const replies = await redisCall('reading fingerprints', async () => unwrap(await pipe.exec()));
    const holders = new Map<number, { id: string; ms: number }>();
    unique.forEach((k, i) => {
      const r = replies[i] as string[];
      if (r.length >= 2) holders.set(k, { id: r[0]!, ms: Number(r[1]) });
    });
    probes.forEach((p, i) => {
      const original = originalOf(p, probeKeys[i]!, (k) => holders.get(k));
      if (original) found.set(p.id, original);
    });
    return found;
  }

  async add(fingerprints: readonly Fingerprint[]): Promise<void> {
    checkFingerprints(fingerprints);
    if (fingerprints.length === 0) return;
    const pipe = this.redis.pipeline();
    const add = (pipe as unknown as { allearsFingerprintAdd: AddCommand }).allearsFingerprintAdd.bind(pipe);
    for (const f of fingerprints) {
      const keys = keysOf(f.exact, f.bands);
      add(
        2 + keys.length,
        `${this.itemPrefix}${f.id}`, this.newestKey, ...keys.map((k) => `${this.keyPrefix}${k}`),
        f.id, Date.parse(f.publishedAt), this.windowMs, this.holdersPerKey, this.keyPrefix, keys.join(','),
      );
    }
    await redisCall('storing fingerprints', async () => unwrap(await pipe.exec()));
  }
}

/** A pipeline's replies, or its first error. */
function unwrap(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('the pipeline was discarded');
  for (const [err] of results) if (err) throw err;
  return results.map(([, r]) => r);
}
