import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { createApp, createOpsApp } from '../api/app.ts';
import type { DependencyHealth } from '../api/deps.ts';
import { createLogger, type Logger } from '../config/logger.ts';
import type { Config } from '../config/schema.ts';
import { SOURCE_KINDS } from '../crawlers/registry.ts';
import type { CheckpointStore } from '../crawlers/checkpoint.ts';
import { SqliteCheckpointStore } from '../crawlers/checkpoint-sqlite.ts';
import { RedisCheckpointStore } from '../crawlers/checkpoint-redis.ts';
import { RedisSourceStateStore } from '../crawlers/source-state-redis.ts';
import { CRAWL_QUEUE, SourceDirectory, type CrawlJob } from '../crawlers/directory.ts';
import { Scheduler } from '../crawlers/scheduler.ts';
import type { SourceStateStore } from '../crawlers/source-state.ts';
import { SqliteSourceStateStore } from '../crawlers/source-state-sqlite.ts';
import { AllearsError, TransientError } from '../model/index.ts';
import { Ingestor } from '../pipeline/ingest.ts';
import { Metrics } from '../pipeline/metrics.ts';
import { BullmqQueue } from '../pipeline/queue/bullmq.ts';
import { LocalJobQueue } from '../pipeline/queue/local.ts';
import type { JobQueue, WorkerHandle } from '../pipeline/queue/port.ts';
import { INGEST_QUEUE, PipelineRunner, ingestJobHandler, type IngestJob } from '../pipeline/runner.ts';
import { defaultStages } from '../pipeline/stages/index.ts';
import type { FeedbackIndex, FingerprintIndex } from '../store/ports.ts';
import { openDb, type Db } from '../store/sqlite/db.ts';
import { ElasticsearchFeedbackIndex } from '../store/elasticsearch/feedback-index.ts';
import { elasticsearchOptionsFromConfig } from '../store/elasticsearch/options.ts';
import { connectRedis, redactRedisUrl } from '../store/redis/connection.ts';
import { RedisFingerprintIndex } from '../store/redis/fingerprint-index.ts';
import { SqliteFeedbackIndex } from '../store/sqlite/feedback-index.ts';
import { SqliteFingerprintIndex } from '../store/sqlite/fingerprint-index.ts';

export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Everything a role needs, built from config. */
export interface Runtime {
  config: Config;
  log: Logger;
  index: FeedbackIndex;
  fingerprints: FingerprintIndex;
  queue: JobQueue;
  checkpoints: CheckpointStore;
  sourceState: SourceStateStore;
  metrics: Metrics;
  ingestor: Ingestor;
  runner: PipelineRunner;
  health: () => Promise<DependencyHealth[]>;
  close: () => Promise<void>;
}

interface Backends {
  index: FeedbackIndex;
  fingerprints: FingerprintIndex;
  queue: JobQueue;
  checkpoints: CheckpointStore;
  sourceState: SourceStateStore;
  health: () => Promise<DependencyHealth[]>;
  close: () => Promise<void>;
}

type Check = () => Promise<DependencyHealth>;

/** Processes may start before their servers (containers start together): wait for a passing outage, up to two minutes. */
async function untilReachable<T>(name: string, open: () => Promise<T>, log: Logger, timeoutMs = 120_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (let wait = 500; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      return await open();
    } catch (err) {
      if (!(err instanceof TransientError) || Date.now() + wait > until) throw err;
      log.warn({ dependency: name, err: err.message, retryInMs: wait }, 'dependency not reachable yet; waiting');
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

async function check(name: string, probe: () => unknown): Promise<DependencyHealth> {
  try {
    await probe();
    return { name, ok: true };
  } catch (e) {
    return { name, ok: false, detail: (e as Error).message };
  }
}

/**
 * The one place where the deployment mode picks its backends. The index follows `deployment.store`;
 * the queue and what every worker must share with it (duplicate fingerprints, checkpoints, source
 * health) follow `deployment.queue`. Embedded: one SQLite file holds everything. Cluster: Redis
 * (BullMQ) and Elasticsearch, so any number of api, worker and crawler processes can share them.
 */
async function openBackends(config: Config, log: Logger): Promise<Backends> {
  const { store, queue, dataDir } = config.deployment;
  const checks: Check[] = [];
  const closers: Array<() => Promise<void>> = [];
  let db: Db | undefined;
  const sqlite = (): Db => {
    if (!db) {
      const opened = openDb(join(resolve(dataDir), 'allears.db'));
      db = opened;
      checks.push(() => check('sqlite', () => opened.prepare('SELECT 1').get()));
      closers.push(async () => { opened.close(); });
    }
    return db;
  };

  let shared: Pick<Backends, 'queue' | 'fingerprints' | 'checkpoints' | 'sourceState'>;
  if (queue === 'local') {
    const d = sqlite();
    const jobs = new LocalJobQueue(d, { defaultMaxAttempts: config.worker.maxAttempts, defaultBackoffMs: config.worker.backoff });
    closers.unshift(() => jobs.close());
    shared = { queue: jobs, fingerprints: new SqliteFingerprintIndex(d), checkpoints: new SqliteCheckpointStore(d), sourceState: new SqliteSourceStateStore(d) };
  } else {
    const { redisUrl, redisPrefix: prefix } = config.deployment;
    const redis = connectRedis({ url: redisUrl });
    const jobs = new BullmqQueue({
      url: redisUrl, prefix,
      defaultMaxAttempts: config.worker.maxAttempts, defaultBackoffMs: config.worker.backoff,
      lockDurationMs: config.worker.lockDuration, stalledIntervalMs: config.worker.stalledInterval,
    });
    checks.push(() => check(`redis ${redactRedisUrl(redisUrl)}`, () => redis.ping()));
    closers.unshift(async () => {
      await jobs.close();
      await redis.quit().catch(() => redis.disconnect());
    });
    shared = {
      queue: jobs,
      fingerprints: new RedisFingerprintIndex(redis, { prefix }),
      checkpoints: new RedisCheckpointStore(redis, { prefix }),
      sourceState: new RedisSourceStateStore(redis, { prefix }),
    };
  }

  let index: FeedbackIndex;
  if (store === 'sqlite') {
    const sqliteIndex = new SqliteFeedbackIndex(sqlite());
    // The index saves its doc values before the file closes, so the next start skips most of the rebuild.
    closers.splice(closers.length - 1, 0, () => sqliteIndex.close());
    index = sqliteIndex;
  } else {
    const options = elasticsearchOptionsFromConfig(config.deployment, config.elasticsearch);
    const es = await untilReachable('elasticsearch', () => ElasticsearchFeedbackIndex.open(options), log);
    checks.push(async () => ({ name: 'elasticsearch', ...(await es.health()) }));
    closers.push(() => es.close());
    index = es;
  }

  return {
    index,
    ...shared,
    health: async () => Promise.all(checks.map((c) => c())),
    close: async () => {
      for (const close of closers) await close();
    },
  };
}

/** `inThread`: this runtime lives in a pipeline worker thread; the main thread reports process-wide metrics. */
export async function openRuntime(config: Config, log: Logger = createLogger(config.deployment.logLevel), opts: { inThread?: boolean } = {}): Promise<Runtime> {
  const b = await openBackends(config, log);
  const metrics = opts.inThread ? new Metrics({ processMetrics: false }) : new Metrics({ queue: b.queue });
  const ingestor = new Ingestor(b.queue, config, metrics);
  const runner = new PipelineRunner({ config, stages: defaultStages(config, { contacts: b.index }), fingerprints: b.fingerprints, index: b.index, metrics, log });
  return { config, log, ...b, metrics, ingestor, runner };
}

export function startWorker(rt: Runtime): WorkerHandle {
  const { maxAttempts, backoff, outageGrace } = rt.config.worker;
  const stopping = new AbortController();
  const handler = ingestJobHandler(rt.runner, rt.queue, {
    maxAttempts, backoffMs: backoff, outageGraceMs: outageGrace, signal: stopping.signal,
    onOutage: (err, waitMs) => rt.log.warn({ err: err.message, retryInMs: waitMs }, 'a dependency is unreachable; holding the batch and trying again'),
  });
  const worker = rt.queue.work<IngestJob>(INGEST_QUEUE, handler, {
    concurrency: rt.config.worker.concurrency,
    onDead: (job, err) => rt.log.error({ job: job.id, attempts: job.attempt, err: err.message }, 'ingest job moved to dead letters'),
    onError: (err) => rt.log.error({ err: err.message }, 'job queue error; the worker tries again shortly'),
  });
  return {
    close: async () => {
      stopping.abort();
      await worker.close();
    },
  };
}

/** The crawler role: runs the sources on their schedules, and the runs asked for through the API. */
export function startCrawler(rt: Runtime): { scheduler: Scheduler; close: () => Promise<void> } {
  const scheduler = newScheduler(rt);
  scheduler.start();
  const asked = rt.queue.work<CrawlJob>(CRAWL_QUEUE, async (job) => {
    if (!scheduler.canRun(job.data.sourceId)) throw new AllearsError('source_not_runnable', `source ${job.data.sourceId}: unknown here, disabled or broken`, { retryable: false });
    await scheduler.runNow(job.data.sourceId);
  }, { onError: (err) => rt.log.error({ err: err.message }, 'crawl queue error; trying again shortly') });
  return {
    scheduler,
    close: async () => {
      await asked.close();
      await scheduler.stop();
    },
  };
}

export function newScheduler(rt: Runtime): Scheduler {
  return new Scheduler(rt.config.sources, SOURCE_KINDS, rt.ingestor, rt.log, rt.checkpoints, { state: rt.sourceState });
}

/**
 * `scheduler`: this process's crawler, when it runs one; otherwise runs asked for go on the crawl
 * queue. `extraHealth`: checks of parts this process runs besides the backends (pipeline threads).
 */
export async function startApi(rt: Runtime, scheduler?: Scheduler, extraHealth: () => DependencyHealth[] = () => []): Promise<Server> {
  const health = async () => [...(await rt.health()), ...extraHealth()];
  // Without a crawler here, a scheduler that never starts still records webhook pushes.
  const local = scheduler ? { scheduler, runs: true } : { scheduler: newScheduler(rt), runs: false };
  const sources = new SourceDirectory(rt.config.sources, rt.sourceState, rt.checkpoints, local, rt.queue);
  const app = createApp({ ...rt, health, version: VERSION, sources });
  const { port, host } = rt.config.deployment;
  return new Promise((resolveServer, reject) => {
    const server = app.listen(port, host, () => resolveServer(server));
    server.once('error', reject);
  });
}

/**
 * `/healthz` and `/metrics` for a process without the API. Several workers on one host would fight
 * over the port: a port in use is logged and skipped, the role runs on without it.
 */
export async function startOps(rt: Runtime, extraHealth: () => DependencyHealth[] = () => []): Promise<Server | undefined> {
  const health = async () => [...(await rt.health()), ...extraHealth()];
  const app = createOpsApp({ ...rt, health, version: VERSION });
  const { port, host } = rt.config.deployment;
  return new Promise((resolveServer, reject) => {
    const server = app.listen(port, host, () => resolveServer(server));
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') return reject(err);
      rt.log.warn({ port }, 'port in use: this process serves no /healthz (set ALLEARS_PORT per process to have one)');
      resolveServer(undefined);
    });
  });
}
