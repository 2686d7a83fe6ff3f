import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort } from './server.ts';
import { waitFor } from './tmp.ts';

/** The Redis the contract suites use: ALLEARS_TEST_REDIS_URL, or the one CI starts on 6379. */
export const TEST_REDIS_URL = process.env.ALLEARS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const inCi = process.env.CI === 'true';

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Whether the test Redis answers. Outside CI a missing Redis skips the suite with a notice; in CI it
 * is a failure, since every adapter must be tested there.
 */
export async function testRedisAvailable(what: string): Promise<boolean> {
  if (await answers(TEST_REDIS_URL)) return true;
  if (inCi) throw new Error(`${what}: no Redis answers at ${TEST_REDIS_URL} (set ALLEARS_TEST_REDIS_URL, or run test/services/redis.sh)`);
  console.warn(`skipping ${what}: no Redis answers at ${TEST_REDIS_URL} (set ALLEARS_TEST_REDIS_URL, or run test/services/redis.sh)`);
  return false;
}

/** Whether a redis-server binary can be started by the test itself; same skip rule as above. */
export function redisServerAvailable(what: string): boolean {
  if (spawnSync('redis-server', ['--version']).status === 0) return true;
  if (inCi) throw new Error(`${what}: the redis-server binary is not installed`);
  console.warn(`skipping ${what}: the redis-server binary is not installed`);
  return false;
}

/** A key prefix no other run uses. */
export function uniquePrefix(): string {
  return `allears-test-${randomUUID().slice(0, 8)}`;
}

/** Delete every key under the prefix. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

export interface RedisServer {
  port: number;
  url: string;
  /** Stop it at once (`SHUTDOWN NOSAVE`); with `appendonly` every acknowledged write is on disk already. */
  shutdown(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A redis-server of the test's own on a free port. `dir` set: it persists with an append-only file
 * synced at every write, so a restart loses nothing that was acknowledged.
 */
export async function startRedisServer(opts: { dir?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--daemonize', 'no'];
  if (opts.dir) args.push('--appendonly', 'yes', '--appendfsync', 'always', '--dir', opts.dir);
  else args.push('--appendonly', 'no');
  let child: ChildProcess | null = null;
  const server: RedisServer = {
    port,
    url,
    async start() {
      child = spawn('redis-server', args, { stdio: 'ignore' });
      await waitFor(() => answers(url), { timeoutMs: 10_000, intervalMs: 50, what: `redis-server on ${port}` });
    },
    async shutdown() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (c.exitCode === null) {
        c.kill('SIGKILL');
        await exited;
      }
      child = null;
    },
  };
  await server.start();
  return server;
}

/**
 * A contract-suite fixture for a store on Redis: a first handle, a way to open more on the same
 * keys (as another process would), and clean-up of the connections and keys.
 */
export function redisStoreFixture<T>(make: (client: Redis, prefix: string) => T): () => Promise<{ store: T; another: () => T; cleanup: () => Promise<void> }> {
  return async () => {
    const { connectRedis } = await import('../../store/redis/connection.ts');
    const prefix = uniquePrefix();
    const clients: Redis[] = [];
    const open = () => {
      const c = connectRedis({ url: TEST_REDIS_URL });
      clients.push(c);
      return make(c, prefix);
    };
    return {
      store: open(),
      another: open,
      cleanup: async () => {
        for (const c of clients) c.disconnect();
        await dropPrefix(TEST_REDIS_URL, prefix);
      },
    };
  };
}
