import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import type { Express } from 'express';
import { createApp } from '../../api/app.ts';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../config/logger.ts';
import type { ConfigInput } from '../../config/schema.ts';
import type { WorkerHandle } from '../../pipeline/queue/port.ts';
import { openRuntime, startWorker, VERSION, type Runtime } from '../../cli/runtime.ts';
import { dropPrefix, testRedisAvailable, TEST_REDIS_URL, uniquePrefix } from './redis.ts';
import { ROOT, writeConfig, type Proc } from './server.ts';
import { tempDir, waitFor } from './tmp.ts';

export interface TestRuntime {
  rt: Runtime;
  app: Express;
  worker: WorkerHandle;
  dir: string;
  /** Resolves when every queued job has been processed and its items show in searches. */
  drained: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * A runtime in a temporary directory, with its worker running and no scheduled sources: embedded by
 * default; `deployment` overrides choose the cluster backends (see `clusterOverrides`).
 * `cleanup` runs after the runtime has closed (e.g. dropping a Redis prefix and indices); `settle`
 * after the queue has drained (e.g. refreshing indices whose writes do not wait for a refresh).
 */
export async function testRuntime(
  overrides: Partial<ConfigInput> = {},
  cleanup: () => Promise<void> = async () => {},
  settle: () => Promise<void> = async () => {},
): Promise<TestRuntime> {
  const t = tempDir();
  const config = loadConfig({
    env: {},
    overrides: { ...overrides, deployment: { dataDir: t.dir, port: 0, logLevel: 'silent', ...(overrides.deployment ?? {}) }, sources: overrides.sources ?? [] },
  });
  const rt = await openRuntime(config, createLogger('silent'));
  const worker = startWorker(rt);
  const app = createApp({ ...rt, version: VERSION });
  const drained = async () => {
    await waitFor(async () => (await rt.queue.stats()).every((s) => s.waiting + s.active + s.delayed === 0), { timeoutMs: 120_000, what: 'queue to drain' });
    await settle();
  };
  return {
    rt, app, worker, dir: t.dir, drained,
    close: async () => {
      try {
        await worker.close();
        await rt.close();
      } finally {
        await cleanup();
        t.cleanup();
      }
    },
  };
}

// ——— cluster mode: Redis + Elasticsearch ———

/** The Elasticsearch the cluster tests use: ALLEARS_TEST_ELASTICSEARCH_URL, or the one CI starts on 9200. */
export const TEST_ELASTICSEARCH_URL = process.env.ALLEARS_TEST_ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';

async function elasticsearchAnswers(): Promise<boolean> {
  const client = new Client({ node: TEST_ELASTICSEARCH_URL, maxRetries: 0, requestTimeout: 3000 });
  try {
    return (await client.info()).version.number.startsWith('8.');
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

/**
 * Whether both servers of the cluster mode answer. Outside CI a missing one skips the suite with a
 * notice; in CI it is a failure.
 */
export async function clusterAvailable(what: string): Promise<boolean> {
  if (!(await testRedisAvailable(what))) return false;
  if (await elasticsearchAnswers()) return true;
  const why = `no Elasticsearch 8 answers at ${TEST_ELASTICSEARCH_URL} (set ALLEARS_TEST_ELASTICSEARCH_URL, or run test/services/elasticsearch.sh)`;
  if (process.env.CI === 'true') throw new Error(`${what}: ${why}`);
  console.warn(`skipping ${what}: ${why}`);
  return false;
}

/** A Redis key prefix and an Elasticsearch index prefix no other run uses, and how to remove both. */
export interface ClusterNames {
  redisUrl: string;
  redisPrefix: string;
  indexPrefix: string;
  drop: () => Promise<void>;
}

export function clusterNames(redisUrl = TEST_REDIS_URL): ClusterNames {
  const prefix = uniquePrefix();
  return {
    redisUrl,
    redisPrefix: prefix,
    indexPrefix: prefix,
    drop: async () => {
      await dropPrefix(redisUrl, prefix);
      await dropIndices(prefix);
    },
  };
}

/** Runs `fn` with a short-lived client of the test Elasticsearch. */
async function withTestEs<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ node: TEST_ELASTICSEARCH_URL, maxRetries: 1, requestTimeout: 30_000 });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Makes every write to the feedback indices of an index prefix visible to searches. */
export async function refreshIndices(indexPrefix: string): Promise<void> {
  await withTestEs((client) => client.indices.refresh({ index: `${indexPrefix}-feedback-*`, allow_no_indices: true, expand_wildcards: 'all' }));
}

/** Deletes the feedback indices and the index template of an index prefix. */
export async function dropIndices(indexPrefix: string): Promise<void> {
  await withTestEs(async (client) => {
    const indices = Object.keys(await client.indices.get({ index: `${indexPrefix}-feedback-*`, expand_wildcards: 'all', allow_no_indices: true }, { ignore: [404] }) ?? {});
    if (indices.length > 0) await client.indices.delete({ index: indices });
    await client.indices.deleteIndexTemplate({ name: `${indexPrefix}-feedback` }, { ignore: [404] });
  });
}

/** Config overrides for a runtime on the cluster backends under the given names. */
export function clusterOverrides(names: ClusterNames, extra: Partial<ConfigInput> = {}): Partial<ConfigInput> {
  return {
    ...extra,
    deployment: {
      store: 'elasticsearch', queue: 'bullmq', redisUrl: names.redisUrl, redisPrefix: names.redisPrefix,
      elasticsearchUrl: TEST_ELASTICSEARCH_URL, ...(extra.deployment ?? {}),
    },
    // A short refresh interval: workers' writes show in searches soon after (they do not wait for it).
    elasticsearch: { indexPrefix: names.indexPrefix, refreshInterval: '100ms', ...(extra.elasticsearch ?? {}) },
  };
}

/** An in-process runtime on Redis and Elasticsearch; closing it removes its keys and indices. */
export async function clusterTestRuntime(overrides: Partial<ConfigInput> = {}): Promise<TestRuntime> {
  const names = clusterNames();
  return testRuntime(clusterOverrides(names, overrides), names.drop, () => refreshIndices(names.indexPrefix));
}

/**
 * The environment of `allears api|worker|crawler` processes on the cluster backends, with a config
 * file in `dir` (no sources; `worker` settings replace the defaults given). `elasticsearchUrl`
 * replaces the test Elasticsearch (a proxy in front of it, say).
 */
export function clusterProcessEnv(dir: string, names: ClusterNames, opts: { elasticsearchUrl?: string; worker?: Record<string, unknown> } = {}): Record<string, string> {
  const config = writeConfig(dir, (c) => {
    c.sources = [];
    c.worker = { ...(c.worker as Record<string, unknown>), ...opts.worker };
    c.elasticsearch = { indexPrefix: names.indexPrefix, refreshInterval: '100ms' };
  });
  return {
    ALLEARS_CONFIG: config,
    ALLEARS_DATA_DIR: dir,
    ALLEARS_STORE: 'elasticsearch',
    ALLEARS_QUEUE: 'bullmq',
    ALLEARS_REDIS_URL: names.redisUrl,
    ALLEARS_REDIS_PREFIX: names.redisPrefix,
    ALLEARS_ELASTICSEARCH_URL: opts.elasticsearchUrl ?? TEST_ELASTICSEARCH_URL,
  };
}

/**
 * Start an `allears` role as a real process; it is ready once it logs that it started (the api role
 * logs it once it listens). `port`: the port of its HTTP API, which gives it a `url`; roles without
 * one (the worker) get an empty `url`.
 */
export async function startRole(command: string, env: Record<string, string>, port?: number): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), command], {
    cwd: ROOT,
    env: { ...process.env, ALLEARS_HOST: '127.0.0.1', ...env, ...(port ? { ALLEARS_PORT: String(port) } : {}), ALLEARS_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`allears ${command} exited with ${child.exitCode}:\n${out}`);
    return out.includes('allears started');
  }, { timeoutMs: 120_000, intervalMs: 100, what: `allears ${command} to start` });
  return { child, url: port ? `http://127.0.0.1:${port}` : '', output: () => out };
}
