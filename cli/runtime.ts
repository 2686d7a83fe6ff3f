import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { createApp } from '../api/app.ts';
import type { DependencyHealth } from '../api/deps.ts';
import { createLogger, type Logger } from '../config/logger.ts';
import type { Config } from '../config/schema.ts';
import { SOURCE_KINDS } from '../crawlers/registry.ts';
import type { CheckpointStore } from '../crawlers/checkpoint.ts';
import { SqliteCheckpointStore } from '../crawlers/checkpoint-sqlite.ts';
import { Scheduler } from '../crawlers/scheduler.ts';
import { ConfigError } from '../model/index.ts';
import { Ingestor } from '../pipeline/ingest.ts';
import { Metrics } from '../pipeline/metrics.ts';
import { LocalJobQueue } from '../pipeline/queue/local.ts';
import type { JobQueue, WorkerHandle } from '../pipeline/queue/port.ts';
import { INGEST_QUEUE, PipelineRunner, ingestJobHandler, type IngestJob } from '../pipeline/runner.ts';
import { defaultStages } from '../pipeline/stages/index.ts';
import type { FeedbackIndex, FingerprintIndex } from '../store/ports.ts';
import { openDb } from '../store/sqlite/db.ts';
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
  health: () => Promise<DependencyHealth[]>;
  close: () => Promise<void>;
}

/**
 * The one place where the deployment mode picks its backends. Embedded: one SQLite file holds the
 * index, the fingerprints and the job queue.
 */
async function openBackends(config: Config): Promise<Backends> {
  const { store, queue, dataDir } = config.deployment;
  if (store === 'sqlite' && queue === 'local') {
    const db = openDb(join(resolve(dataDir), 'allears.db'));
    const jobs = new LocalJobQueue(db, { defaultMaxAttempts: config.worker.maxAttempts, defaultBackoffMs: config.worker.backoff });
    const index = new SqliteFeedbackIndex(db);
    return {
      index,
      fingerprints: new SqliteFingerprintIndex(db),
      queue: jobs,
      checkpoints: new SqliteCheckpointStore(db),
      health: async () => {
        try {
          db.prepare('SELECT 1').get();
          return [{ name: 'sqlite', ok: true }];
        } catch (e) {
          return [{ name: 'sqlite', ok: false, detail: (e as Error).message }];
        }
      },
      close: async () => {
        await jobs.close();
        // The index saves its doc values first, so the next start skips most of the rebuild.
        await index.close();
        db.close();
      },
    };
  }
  throw new ConfigError(`deployment: store "${store}" with queue "${queue}" is not available in this version`, [
    { path: 'deployment.store', message: 'the cluster mode (elasticsearch + bullmq) is not built yet; use sqlite + local' },
  ]);
}

/** `inThread`: this runtime lives in a pipeline worker thread; the main thread reports process-wide metrics. */
export async function openRuntime(config: Config, log: Logger = createLogger(config.deployment.logLevel), opts: { inThread?: boolean } = {}): Promise<Runtime> {
  const b = await openBackends(config);
  const metrics = opts.inThread ? new Metrics({ processMetrics: false }) : new Metrics({ queue: b.queue });
  const ingestor = new Ingestor(b.queue, config, metrics);
  const runner = new PipelineRunner({ config, stages: defaultStages(config), fingerprints: b.fingerprints, index: b.index, metrics, log });
  return { config, log, ...b, metrics, ingestor, runner };
}

export function startWorker(rt: Runtime): WorkerHandle {
  const { maxAttempts, backoff } = rt.config.worker;
  return rt.queue.work<IngestJob>(INGEST_QUEUE, ingestJobHandler(rt.runner, rt.queue, { maxAttempts, backoffMs: backoff }), {
    concurrency: rt.config.worker.concurrency,
    onDead: (job, err) => rt.log.error({ job: job.id, attempts: job.attempt, err: err.message }, 'ingest job moved to dead letters'),
    onError: (err) => rt.log.error({ err: err.message }, 'job queue error; the worker tries again shortly'),
  });
}

export function startScheduler(rt: Runtime): Scheduler {
  const s = new Scheduler(rt.config.sources, SOURCE_KINDS, rt.ingestor, rt.log, rt.checkpoints);
  s.start();
  return s;
}

/** `extraHealth`: checks of parts this process runs besides the backends (pipeline threads). */
export async function startApi(rt: Runtime, scheduler?: Scheduler, extraHealth: () => DependencyHealth[] = () => []): Promise<Server> {
  const health = async () => [...(await rt.health()), ...extraHealth()];
  const app = createApp({ ...rt, health, version: VERSION, ...(scheduler ? { sources: scheduler } : {}) });
  const { port, host } = rt.config.deployment;
  return new Promise((resolveServer, reject) => {
    const server = app.listen(port, host, () => resolveServer(server));
    server.once('error', reject);
  });
}
