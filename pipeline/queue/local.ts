import { EventEmitter } from 'node:events';
import { threadId } from 'node:worker_threads';
import type { Db } from '../../store/sqlite/db.ts';
import { AllearsError } from '../../model/index.ts';
import type {
  DeadLetter, EnqueueOptions, Job, JobHandler, JobQueue, QueueStats, WorkerHandle, WorkerOptions,
} from './port.ts';

export interface LocalQueueOptions {
  /** How long a claimed job stays locked without a heartbeat before another worker may take it. */
  leaseMs?: number;
  /** How often an idle worker looks for jobs added by another process. */
  pollMs?: number;
  defaultMaxAttempts?: number;
  defaultBackoffMs?: number;
}

/** A delivered job plus what the queue needs to schedule its retry. */
type Claimed<T> = Job<T> & { backoffMs: number };

interface JobRow {
  id: number;
  queue: string;
  data: string;
  attempts: number;
  max_attempts: number;
  backoff_ms: number;
  enqueued_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL,
  data TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  backoff_ms INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  locked_until INTEGER,
  owner TEXT,
  last_error TEXT,
  size INTEGER,
  enqueued_at INTEGER NOT NULL,
  failed_at INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (queue, state, run_at);
`;

/**
 * The embedded job queue: a table in the same SQLite file as the index, so a job is durable the
 * moment `add` returns and nothing else has to run. Completed jobs are deleted; failed ones wait
 * with exponential backoff; out of attempts they stay as dead letters until retried.
 * Delivery is at-least-once: a worker that dies leaves its job locked until its lease runs out
 * (or at once, when the owning process is gone), then it is delivered again.
 */
export class LocalJobQueue implements JobQueue {
  private readonly db: Db;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly defaults: { maxAttempts: number; backoffMs: number };
  private readonly owner = `${process.pid}:${threadId}:${Date.now().toString(36)}`;
  private readonly wake = new EventEmitter();
  private readonly workers = new Set<WorkerHandle>();
  /** Queues this process added to or works on: reported even when empty, so gauges read 0, not nothing. */
  private readonly known = new Set<string>();
  private readonly stmts;

  constructor(db: Db, opts: LocalQueueOptions = {}) {
    this.db = db;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 250;
    this.defaults = { maxAttempts: opts.defaultMaxAttempts ?? 5, backoffMs: opts.defaultBackoffMs ?? 1000 };
    this.wake.setMaxListeners(0);
    db.exec(SCHEMA);
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO jobs (queue, data, state, max_attempts, backoff_ms, run_at, size, enqueued_at)
         VALUES (?, ?, 'waiting', ?, ?, ?, ?, ?)`,
      ),
      claim: db.prepare(
        `UPDATE jobs SET state = 'active', attempts = attempts + 1, locked_until = ?, owner = ?
         WHERE id = (SELECT id FROM jobs WHERE queue = ? AND (
               (state = 'waiting' AND run_at <= ?) OR (state = 'active' AND locked_until < ?))
             ORDER BY run_at, id LIMIT 1)
         RETURNING id, queue, data, attempts, max_attempts, backoff_ms, enqueued_at`,
      ),
      heartbeat: db.prepare(`UPDATE jobs SET locked_until = ? WHERE id = ? AND owner = ?`),
      complete: db.prepare(`DELETE FROM jobs WHERE id = ? AND owner = ?`),
      retry: db.prepare(
        `UPDATE jobs SET state = 'waiting', run_at = ?, locked_until = NULL, owner = NULL, last_error = ? WHERE id = ? AND owner = ?`,
      ),
      bury: db.prepare(
        `UPDATE jobs SET state = 'dead', locked_until = NULL, owner = NULL, last_error = ?, failed_at = ? WHERE id = ? AND owner = ?`,
      ),
      owners: db.prepare(`SELECT DISTINCT owner FROM jobs WHERE state = 'active' AND owner IS NOT NULL`),
      // A job whose worker died on its last attempt is dead, not delivered again: a job that kills
      // its worker (out of memory, a native crash) must not loop forever.
      release: db.prepare(
        `UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'waiting' END,
           last_error = CASE WHEN attempts >= max_attempts THEN 'worker died while holding the job on its last attempt' ELSE last_error END,
           failed_at = CASE WHEN attempts >= max_attempts THEN @now ELSE failed_at END,
           locked_until = NULL, owner = NULL
         WHERE state = 'active' AND owner = @owner`,
      ),
      buryExpired: db.prepare(
        `UPDATE jobs SET state = 'dead', last_error = 'lease expired on the last attempt (the worker died or hung)', failed_at = @now,
           locked_until = NULL, owner = NULL
         WHERE queue = @queue AND state = 'active' AND locked_until < @now AND attempts >= max_attempts`,
      ),
      stats: db.prepare(
        `SELECT queue,
           SUM(state = 'waiting' AND run_at <= @now) AS waiting,
           SUM(state = 'active') AS active,
           SUM(state = 'waiting' AND run_at > @now) AS delayed,
           SUM(state = 'dead') AS dead
         FROM jobs GROUP BY queue ORDER BY queue`,
      ),
      dead: db.prepare(
        `SELECT id, queue, attempts, last_error, failed_at, size FROM jobs WHERE queue = ? AND state = 'dead' ORDER BY failed_at DESC LIMIT ?`,
      ),
      revive: db.prepare(
        `UPDATE jobs SET state = 'waiting', attempts = 0, run_at = ?, last_error = NULL, failed_at = NULL WHERE id = ? AND queue = ? AND state = 'dead'`,
      ),
    };
    this.reclaimOrphans();
  }

  /**
   * Jobs held by a process that no longer runs on this machine go back to waiting at once. Owners
   * in this same process are sibling worker threads, alive by definition; their lease covers them.
   */
  private reclaimOrphans(): void {
    for (const { owner } of this.stmts.owners.all() as { owner: string }[]) {
      const pid = Number(owner.split(':')[0]);
      if (pid !== process.pid && !processAlive(pid)) this.stmts.release.run({ owner, now: Date.now() });
    }
  }

  async add<T>(queue: string, data: T, opts?: EnqueueOptions): Promise<string> {
    const [id] = await this.addBulk(queue, [data], opts);
    return id!;
  }

  async addBulk<T>(queue: string, data: readonly T[], opts: EnqueueOptions = {}): Promise<string[]> {
    const now = Date.now();
    const runAt = now + (opts.delayMs ?? 0);
    const maxAttempts = opts.maxAttempts ?? this.defaults.maxAttempts;
    const backoff = opts.backoffMs ?? this.defaults.backoffMs;
    this.known.add(queue);
    const ids = this.db.transaction(() =>
      data.map((d) => {
        const size = isBatch(d) ? d.items.length : null;
        const r = this.stmts.insert.run(queue, JSON.stringify(d), maxAttempts, backoff, runAt, size, now);
        return String(r.lastInsertRowid);
      }),
    )();
    this.wake.emit(queue);
    return ids;
  }

  work<T>(queue: string, handler: JobHandler<T>, opts: WorkerOptions = {}): WorkerHandle {
    this.known.add(queue);
    const concurrency = opts.concurrency ?? 1;
    let closing = false;
    let wakeUp: (() => void) | null = null;
    const onWake = () => wakeUp?.();
    this.wake.on(queue, onWake);

    const loop = async (): Promise<void> => {
      while (!closing) {
        let job: Claimed<T> | null;
        try {
          job = this.claim<T>(queue);
        } catch (err) {
          // A closed database ends the worker; anything else (busy, disk full) is reported and
          // tried again after a pause, so one bad moment does not stop the worker for good.
          opts.onError?.(err as Error);
          if (!this.db.open) return;
          await new Promise((r) => setTimeout(r, Math.max(this.pollMs, 1000)));
          continue;
        }
        if (!job) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.pollMs);
            wakeUp = () => { clearTimeout(timer); resolve(); };
          });
          wakeUp = null;
          continue;
        }
        try {
          await this.runOne(job, handler, opts);
        } catch (err) {
          // Recording the outcome failed; the job stays leased and is delivered again later.
          opts.onError?.(err as Error);
          if (!this.db.open) return;
          await new Promise((r) => setTimeout(r, Math.max(this.pollMs, 1000)));
        }
      }
    };
    const loops = Array.from({ length: concurrency }, () => loop());
    const handle: WorkerHandle = {
      close: async () => {
        closing = true;
        this.wake.off(queue, onWake);
        wakeUp?.();
        await Promise.allSettled(loops);
        this.workers.delete(handle);
      },
    };
    this.workers.add(handle);
    return handle;
  }

  private claim<T>(queue: string): Claimed<T> | null {
    const now = Date.now();
    this.stmts.buryExpired.run({ queue, now });
    const row = this.stmts.claim.get(now + this.leaseMs, this.owner, queue, now, now) as JobRow | undefined;
    if (!row) return null;
    return {
      id: String(row.id),
      queue: row.queue,
      data: JSON.parse(row.data) as T,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
      enqueuedAt: new Date(row.enqueued_at).toISOString(),
      backoffMs: row.backoff_ms,
    };
  }

  private async runOne<T>(job: Claimed<T>, handler: JobHandler<T>, opts: WorkerOptions): Promise<void> {
    // Keep the lease while a long batch runs, so no other worker takes the job meanwhile.
    const beat = setInterval(() => {
      try {
        this.stmts.heartbeat.run(Date.now() + this.leaseMs, job.id, this.owner);
      } catch {
        // A missed heartbeat only risks a second delivery, which processing tolerates.
      }
    }, this.leaseMs / 3);
    beat.unref();
    try {
      await handler(job);
      this.stmts.complete.run(job.id, this.owner);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const message = `${err.name}: ${err.message}`.slice(0, 2000);
      const permanent = err instanceof AllearsError && !err.retryable;
      if (permanent || job.attempt >= job.maxAttempts) {
        this.stmts.bury.run(message, Date.now(), job.id, this.owner);
        opts.onDead?.(job as Job<unknown>, err);
      } else {
        const backoff = job.backoffMs * 2 ** (job.attempt - 1);
        this.stmts.retry.run(Date.now() + backoff, message, job.id, this.owner);
      }
    } finally {
      clearInterval(beat);
    }
  }

  async stats(): Promise<QueueStats[]> {
    const rows = this.stmts.stats.all({ now: Date.now() }) as Record<string, number | string>[];
    const seen = new Set(rows.map((r) => String(r.queue)));
    for (const q of this.known) if (!seen.has(q)) rows.push({ queue: q });
    rows.sort((a, b) => String(a.queue).localeCompare(String(b.queue)));
    return rows.map((r) => ({
      queue: String(r.queue),
      waiting: Number(r.waiting ?? 0),
      active: Number(r.active ?? 0),
      delayed: Number(r.delayed ?? 0),
      dead: Number(r.dead ?? 0),
    }));
  }

  async deadLetters(queue: string, limit = 50): Promise<DeadLetter[]> {
    const rows = this.stmts.dead.all(queue, limit) as {
      id: number; queue: string; attempts: number; last_error: string | null; failed_at: number | null; size: number | null;
    }[];
    return rows.map((r) => ({
      id: String(r.id),
      queue: r.queue,
      attempts: r.attempts,
      error: r.last_error ?? '',
      failedAt: new Date(r.failed_at ?? 0).toISOString(),
      size: r.size,
    }));
  }

  async retryDead(queue: string, id: string): Promise<boolean> {
    const changed = this.stmts.revive.run(Date.now(), Number(id), queue).changes > 0;
    if (changed) this.wake.emit(queue);
    return changed;
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.close()));
  }
}

function isBatch(d: unknown): d is { items: unknown[] } {
  return typeof d === 'object' && d !== null && Array.isArray((d as { items?: unknown }).items);
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
