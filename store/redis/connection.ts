import { Redis, type RedisOptions } from 'ioredis';
import { AllearsError, ConfigError, TransientError } from '../../model/index.ts';

export interface RedisConnectionOptions {
  /** `redis://[user[:password]@]host[:port][/db]`, or `rediss://` for TLS (config `deployment.redisUrl`). */
  url: string;
  /**
   * Environment variable holding the password when the URL has none (default ALLEARS_REDIS_PASSWORD),
   * so the secret stays out of config files and logs.
   */
  passwordEnv?: string;
  /** Where the URL came from, named in errors. */
  field?: string;
}

/**
 * Two kinds of connection. `command`: a request fails after a few reconnection attempts, so the
 * caller sees an outage quickly and retries the job later. `worker`: requests wait for Redis as long
 * as it takes (BullMQ requires `maxRetriesPerRequest: null` for its workers' blocking commands).
 */
export type RedisRole = 'command' | 'worker';

/** Reconnect quickly at first, then every few seconds, forever: an outage ends when Redis is back. */
const retryStrategy = (times: number): number => Math.min(100 * 2 ** Math.min(times, 6), 5000);

/** ioredis options from a Redis URL; the password comes from the URL or the environment. */
export function redisOptions(opts: RedisConnectionOptions, role: RedisRole = 'command', env: NodeJS.ProcessEnv = process.env): RedisOptions & { retryStrategy: (times: number) => number } {
  const field = opts.field ?? 'deployment.redisUrl';
  let u: URL;
  try {
    u = new URL(opts.url);
  } catch {
    // The URL is not repeated: it may carry a password.
    throw new ConfigError(`${field}: not a valid Redis URL`, [{ path: field, message: 'expected redis://host:port or rediss://host:port' }]);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ConfigError(`${field}: unsupported scheme "${u.protocol}"`, [{ path: field, message: 'expected redis:// or rediss://' }]);
  }
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) {
    throw new ConfigError(`${field}: the database number must be a non-negative integer`, [{ path: field, message: `got "/${dbText}"` }]);
  }
  const password = u.password ? decodeURIComponent(u.password) : env[opts.passwordEnv ?? 'ALLEARS_REDIS_PASSWORD'] || undefined;
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password,
    db,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    retryStrategy,
    maxRetriesPerRequest: role === 'worker' ? null : 3,
    enableOfflineQueue: true,
  };
}

/** The URL without its password, for logs and health reports. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid Redis URL)';
  }
}

/**
 * A connection for the Redis adapters. `onError` receives connection errors (Redis down,
 * reconnecting); without it they are dropped here, and commands still fail with a TransientError.
 */
export function connectRedis(opts: RedisConnectionOptions & { onError?: (err: Error) => void }, role: RedisRole = 'command'): Redis {
  const client = new Redis(redisOptions(opts, role));
  client.on('error', (err: Error) => opts.onError?.(err));
  return client;
}

/** Redis answered, and asking again will not help (a wrong type, a script error): a bug, not an outage. */
function isPermanentReply(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | null;
  return e?.name === 'ReplyError' && !/^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|READONLY|CLUSTERDOWN|OOM|NOREPLICAS)/.test(e.message ?? '');
}

/** Run Redis commands; an unreachable or busy Redis becomes a TransientError, so the job is retried later. */
export async function redisCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isPermanentReply(err)) throw new AllearsError('redis_error', `redis: ${what} failed: ${(err as Error).message}`, { cause: err });
    throw new TransientError(`redis: ${what} failed: ${(err as Error).message}`, err);
  }
}
