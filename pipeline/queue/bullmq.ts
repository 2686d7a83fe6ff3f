import { Queue, UnrecoverableError, Worker, type Job as BullJob, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { AllearsError } from '../../model/index.ts';
import { connectRedis, redisCall, redisOptions, type RedisConnectionOptions } from '../../store/redis/connection.ts';
import type {
  DeadLetter, EnqueueOptions, Job, JobHandler, JobQueue, QueueStats, WorkerHandle, WorkerOptions,
} from './port.ts';

export interface BullmqQueueOptions extends RedisConnectionOptions {
  /** Namespace of every key, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
  defaultMaxAttempts?: number;
  defaultBackoffMs?: number;
  /** How long a worker holds a job without renewing its lock before the job counts as stalled. */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs (those of a dead worker) and put them back to wait. */
  stalledIntervalMs?: number;
  /** A job found stalled more often than this goes to the dead letters: it may be what kills its workers. */
  maxStalledCount?: number;
  /** Pause before a worker tries Redis again after a failed request (an outage). */
  retryDelayMs?: number;
  /** Seconds an idle worker blocks waiting for a job before it asks again. */
  idleBlockSeconds?: number;
  /**
   * Closing waits for the handlers running; once none runs, it waits this long more for BullMQ to
   * record their outcome, then drops the connections (Redis unreachable): an outcome not recorded
   * only means the job is delivered again.
   */
  closeGraceMs?: number;
  /**
   * Back-pressure: after a job fails with a retryable error (a dependency is down), no worker of the
   * queue takes new jobs for this long, doubled at each further such failure up to `maxMs`, and
   * reset by the first success.
   */
  slowdown?: { initialMs?: number; maxMs?: number };
  /** Connection errors of the producer side (adding jobs, stats); workers report to their own onError. */
  onError?: (error: Error) => void;
}

/** Failed jobs keep their error; the message is bounded as in the embedded queue. */
const MAX_ERROR_CHARS = 2000;

/**
 * The cluster job queue: BullMQ on Redis. One BullMQ queue per queue name, opened on first use.
 * Completed jobs are removed, failed ones are the dead letters. Delivery is at-least-once: a worker
 * process that dies stops renewing its job's lock, and the stalled-job check of any other worker
 * puts the job back to wait (after `maxStalledCount` such deaths it goes to the dead letters).
 *
 * Retryable errors (TransientError and other AllearsErrors with `retryable`) cost an attempt and are
 * retried with exponential backoff, as in the embedded queue; on top of that they slow the whole
 * queue down through BullMQ's rate limiter (see `slowdown`), so an unreachable index does not burn
 * the attempts of every waiting job, one after the other, in a few seconds.
 */
export class BullmqQueue implements JobQueue {
  private readonly prefix: string;
  private readonly defaults: { maxAttempts: number; backoffMs: number };
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Set<WorkerHandle>();
  private readonly registered = new Set<string>();
  private readonly slowdown: { initialMs: number; maxMs: number };
  private redis: Redis | null = null;

  constructor(private readonly opts: BullmqQueueOptions) {
    this.prefix = opts.prefix ?? 'allears';
    this.defaults = { maxAttempts: opts.defaultMaxAttempts ?? 5, backoffMs: opts.defaultBackoffMs ?? 1000 };
    this.slowdown = { initialMs: opts.slowdown?.initialMs ?? 1000, maxMs: opts.slowdown?.maxMs ?? 60_000 };
    // Fail early on a bad URL, before any connection is attempted.
    redisOptions(opts);
  }

  /** A plain connection for what BullMQ does not offer (the set of queue names, a counter reset). */
  private client(): Redis {
    this.redis ??= connectRedis({ ...this.opts, onError: (e) => this.opts.onError?.(e) });
    return this.redis;
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: redisOptions(this.opts), prefix: this.prefix });
      // Without a listener an 'error' event would end the process; a failed request still rejects.
      q.on('error', (e: Error) => this.opts.onError?.(e));
      this.queues.set(name, q);
    }
    return q;
  }

  /** Remember the queue name in Redis, so stats from any process list it, even when it is empty. */
  private async register(name: string): Promise<void> {
    if (this.registered.has(name)) return;
    await redisCall('registering the queue', () => this.client().sadd(`${this.prefix}:queues`, name));
    this.registered.add(name);
  }

  async add<T>(queue: string, data: T, opts?: EnqueueOptions): Promise<string> {
    const [id] = await this.addBulk(queue, [data], opts);
    return id!;
  }

  async addBulk<T>(queue: string, data: readonly T[], opts: EnqueueOptions = {}): Promise<string[]> {
    if (data.length === 0) return [];
    await this.register(queue);
    const jobOpts: JobsOptions = {
      attempts: opts.maxAttempts ?? this.defaults.maxAttempts,
      backoff: { type: 'exponential', delay: opts.backoffMs ?? this.defaults.backoffMs },
      delay: opts.delayMs ?? 0,
      removeOnComplete: true,
      removeOnFail: false,
    };
    // One MULTI: all the jobs are stored, or none is.
    const jobs = await redisCall('adding jobs', () => this.queue(queue).addBulk(data.map((d) => ({ name: queue, data: d, opts: jobOpts }))));
    return jobs.map((j) => j.id!);
  }

  work<T>(queue: string, handler: JobHandler<T>, opts: WorkerOptions = {}): WorkerHandle {
    const name = queue;
    let transientFailures = 0;
    const slowDown = async (): Promise<void> => {
      transientFailures++;
      const ms = Math.min(this.slowdown.initialMs * 2 ** (transientFailures - 1), this.slowdown.maxMs);
      try {
        await this.queue(name).rateLimit(ms);
      } catch (e) {
        opts.onError?.(e as Error);
      }
    };
    let running = 0;
    const processor = async (bj: BullJob): Promise<void> => {
      running++;
      try {
        await handler(toJob<T>(name, bj, attemptOf(bj)));
        transientFailures = 0;
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        const message = `${err.name}: ${err.message}`.slice(0, MAX_ERROR_CHARS);
        if (err instanceof AllearsError && err.retryable) await slowDown();
        // Non-retryable errors skip the remaining attempts; the original error travels as the cause.
        const out = err instanceof AllearsError && !err.retryable ? new UnrecoverableError(message) : new Error(message);
        (out as Error & { cause?: unknown }).cause = err;
        throw out;
      } finally {
        running--;
      }
    };
    // Set when closing gives up on an unreachable Redis: the connections stop reconnecting, and
    // what waited for them fails, so `close` can end.
    let abandon = false;
    const workerConnection = redisOptions(this.opts, 'worker');
    const worker = new Worker(name, processor, {
      connection: { ...workerConnection, retryStrategy: (times: number) => (abandon ? null : workerConnection.retryStrategy(times)) },
      prefix: this.prefix,
      concurrency: opts.concurrency ?? 1,
      lockDuration: this.opts.lockDurationMs ?? 30_000,
      stalledInterval: this.opts.stalledIntervalMs ?? 30_000,
      maxStalledCount: this.opts.maxStalledCount ?? 1,
      runRetryDelay: this.opts.retryDelayMs ?? 5000,
      drainDelay: this.opts.idleBlockSeconds ?? 5,
      // The limit itself is never reached; the limiter is what lets `slowDown` stop every worker.
      limiter: { max: 1_000_000_000, duration: 1000 },
      maximumRateLimitDelay: this.slowdown.maxMs,
    });
    worker.on('failed', (bj, err) => {
      // Also emitted for failures that will be retried; only a job that finished failing is dead.
      if (!bj || !bj.finishedOn) return;
      const cause = (err as Error & { cause?: unknown }).cause;
      opts.onDead?.(toJob(name, bj, Math.max(bj.attemptsStarted, bj.attemptsMade)) as Job<unknown>, cause instanceof Error ? cause : err);
    });
    // Connection trouble: BullMQ keeps the worker running and tries again after `retryDelayMs`.
    worker.on('error', (err) => opts.onError?.(err));
    this.register(name).catch((e: Error) => opts.onError?.(e));
    const handle: WorkerHandle = {
      close: async () => {
        const closed = worker.close().then(() => true);
        const grace = this.opts.closeGraceMs ?? 5000;
        let idleSince: number | null = null;
        while (!(await Promise.race([closed, new Promise<false>((r) => setTimeout(() => r(false), 100))]))) {
          if (running > 0) { idleSince = null; continue; }
          idleSince ??= Date.now();
          if (Date.now() - idleSince >= grace) {
            // Only requests to an unreachable Redis are left: give up on them.
            abandon = true;
            // BullMQ may still wait on a connection stuck reconnecting; the process is ending anyway.
            const ended = await Promise.race([closed, new Promise<false>((r) => setTimeout(() => r(false), 5000).unref())]);
            if (!ended) opts.onError?.(new Error(`queue ${name}: closed the worker without reaching Redis; its unfinished jobs will be delivered again`));
            break;
          }
        }
        this.workers.delete(handle);
      },
    };
    this.workers.add(handle);
    return handle;
  }

  async stats(): Promise<QueueStats[]> {
    const names = new Set<string>([...this.registered, ...this.queues.keys()]);
    for (const n of await redisCall('listing queues', () => this.client().smembers(`${this.prefix}:queues`))) names.add(n);
    const out: QueueStats[] = [];
    for (const name of [...names].sort()) {
      const c = await redisCall('counting jobs', () => this.queue(name).getJobCounts('wait', 'prioritized', 'waiting-children', 'active', 'delayed', 'failed'));
      out.push({
        queue: name,
        waiting: (c.wait ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        dead: c.failed ?? 0,
      });
    }
    return out;
  }

  async deadLetters(queue: string, limit = 50): Promise<DeadLetter[]> {
    if (limit <= 0) return [];
    // Newest first, as the embedded queue lists them.
    const jobs = await redisCall('listing dead letters', () => this.queue(queue).getFailed(0, limit - 1));
    return jobs.filter((j): j is NonNullable<typeof j> => !!j).map((j) => ({
      id: String(j.id),
      queue,
      attempts: j.attemptsMade,
      error: j.failedReason ?? '',
      failedAt: new Date(j.finishedOn ?? 0).toISOString(),
      size: isBatch(j.data) ? j.data.items.length : null,
    }));
  }

  async retryDead(queue: string, id: string): Promise<boolean> {
    const q = this.queue(queue);
    const job = await redisCall('reading a dead letter', () => q.getJob(id));
    if (!job || !(await redisCall('reading a job state', () => job.isFailed()))) return false;
    // A fresh start: its stall count too, or one more stall would bury it again at once.
    await redisCall('resetting a dead letter', () => this.client().hdel(q.toKey(id), 'stc'));
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    } catch (e) {
      // Another caller retried it first, or it is gone.
      if (!(await q.getJob(id).then((j) => j?.isFailed(), () => undefined))) return false;
      throw e;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    if (this.redis) {
      await this.redis.quit().catch(() => this.redis?.disconnect());
      this.redis = null;
    }
  }
}

/** 1 on the first delivery; a delivery cut short by a dead worker counts, as in the embedded queue. */
function attemptOf(bj: BullJob): number {
  return Math.max(bj.attemptsStarted, bj.attemptsMade + 1);
}

function toJob<T>(queue: string, bj: BullJob, attempt: number): Job<T> {
  return {
    id: String(bj.id),
    queue,
    data: bj.data as T,
    attempt,
    maxAttempts: bj.opts.attempts ?? 1,
    enqueuedAt: new Date(bj.timestamp).toISOString(),
  };
}

function isBatch(d: unknown): d is { items: unknown[] } {
  return typeof d === 'object' && d !== null && Array.isArray((d as { items?: unknown }).items);
}
