import type { Config } from '../config/schema.ts';
import type { Logger } from '../config/logger.ts';
import { AllearsError, type Feedback, type RawItem } from '../model/index.ts';
import type { FeedbackIndex, Fingerprint, FingerprintIndex, UpsertResult } from '../store/ports.ts';
import { checked, finish, toDraft, type Analysed } from './draft.ts';
import type { Metrics } from './metrics.ts';
import type { JobHandler, JobQueue } from './queue/port.ts';
import type { Draft, Stage, StageContext } from './stage.ts';

/** The payload of one ingest job: a batch of validated raw items. */
export interface IngestJob {
  items: RawItem[];
  receivedAt: string;
}
export const INGEST_QUEUE = 'ingest';

export interface RunnerDeps {
  config: Config;
  stages: Stage[];
  /** Read side for duplicate detection; the write happens in `processAndStore`. */
  fingerprints: Pick<FingerprintIndex, 'match'> & Partial<Pick<FingerprintIndex, 'add'>>;
  index?: FeedbackIndex;
  metrics?: Metrics;
  log?: Logger;
}

/**
 * Runs the stages over a batch, then makes the only writes: the index upsert, then the
 * fingerprints. Both are idempotent by id, so a retried job updates in place.
 */
export class PipelineRunner {
  constructor(private readonly deps: RunnerDeps) {}

  async process(items: readonly RawItem[], receivedAt: string): Promise<Feedback[]> {
    return (await this.run(items, receivedAt)).feedback;
  }

  /**
   * The analysis of each item, in order, without building the records that would be stored: for
   * callers that store nothing and read only the analysis (`allears classify`). Same checks as `process`.
   */
  async analyse(items: readonly RawItem[], receivedAt: string): Promise<Analysed[]> {
    const batch = await this.stages(items, receivedAt, new Date());
    try {
      return batch.map(checked);
    } catch (err) {
      throw new StageError('finish', err);
    }
  }

  private async stages(items: readonly RawItem[], receivedAt: string, now: Date): Promise<Draft[]> {
    const { stages, metrics, config, fingerprints } = this.deps;
    const ctx: StageContext = { config, fingerprints, now };
    let batch: Draft[] = items.map((raw) => toDraft(raw, receivedAt));
    for (const stage of stages) {
      const end = metrics?.stageSeconds.startTimer({ stage: stage.name });
      try {
        const out = await stage.run(batch, ctx);
        if (out.length !== batch.length) throw new Error(`stage ${stage.name} returned ${out.length} items for ${batch.length}`);
        batch = out;
      } catch (err) {
        metrics?.failed.inc({ stage: stage.name }, batch.length);
        throw new StageError(stage.name, err);
      } finally {
        end?.();
      }
      metrics?.processed.inc({ stage: stage.name }, batch.length);
    }
    return batch;
  }

  private async run(items: readonly RawItem[], receivedAt: string): Promise<{ feedback: Feedback[]; prints: Fingerprint[] }> {
    const now = new Date();
    const batch = await this.stages(items, receivedAt, now);
    const processedAt = now.toISOString();
    const prints = batch.flatMap((d) =>
      d.fingerprint ? [{ id: d.id, exact: d.fingerprint.exact, bands: d.fingerprint.bands, publishedAt: d.publishedAt }] : [],
    );
    let feedback: Feedback[];
    try {
      feedback = batch.map((d) => finish(d, processedAt));
    } catch (err) {
      throw new StageError('finish', err);
    }
    return { feedback, prints };
  }

  async processAndStore(job: IngestJob): Promise<UpsertResult> {
    const { index, fingerprints, metrics } = this.deps;
    if (!index) throw new Error('PipelineRunner has no index to store into');
    const { feedback, prints } = await this.run(job.items, job.receivedAt);
    const end = metrics?.stageSeconds.startTimer({ stage: 'index' });
    const result = await index.upsert(feedback);
    await fingerprints.add?.(prints);
    end?.();
    metrics?.indexed.inc({ result: 'created' }, result.created);
    metrics?.indexed.inc({ result: 'updated' }, result.updated);
    metrics?.processed.inc({ stage: 'index' }, feedback.length);
    return result;
  }
}

/**
 * A stage threw. Usually bad data or a bug, which would fail again; but when the cause is a passing
 * outage (a busy database) the stage error stays retryable.
 */
export class StageError extends AllearsError {
  constructor(readonly stage: string, cause: unknown) {
    super('stage_failed', `stage ${stage} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { retryable: isTransient(cause), cause });
  }
}

/** Errors worth another attempt later: our own retryable ones and SQLite's busy/locked. */
export function isTransient(err: unknown): boolean {
  if (err instanceof AllearsError) return err.retryable;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

export interface IngestHandlerOptions {
  maxAttempts?: number;
  backoffMs?: number;
  /**
   * How long a batch waits in place, retrying, while a dependency is unreachable (the index, Redis):
   * the worker holds its batch and takes no new one, so an outage neither burns the attempts of
   * waiting batches nor sends them to the dead letters. 0 hands the failure to the queue at once.
   */
  outageGraceMs?: number;
  /** Aborted when the worker stops: a batch waiting out an outage gives up and goes back to the queue. */
  signal?: AbortSignal;
  onOutage?: (err: Error, waitMs: number) => void;
}

/**
 * The worker's handler for ingest jobs. When a batch fails for good (a stage, or a check of the
 * finished records), it is split into one job per item: one poison item must not take 499 good ones
 * to the dead letters with it. Passing outages are waited out in place (see `outageGraceMs`), then
 * retried as a batch by the queue.
 */
export function ingestJobHandler(runner: PipelineRunner, queue: JobQueue, opts: IngestHandlerOptions = {}): JobHandler<IngestJob> {
  const { outageGraceMs = 0, signal } = opts;
  const enqueue = { maxAttempts: opts.maxAttempts, backoffMs: opts.backoffMs };
  return async (job) => {
    const started = Date.now();
    for (let wait = 1000; ; wait = Math.min(wait * 2, 30_000)) {
      try {
        await runner.processAndStore(job.data);
        return;
      } catch (err) {
        if (isTransient(err)) {
          if (Date.now() - started + wait > outageGraceMs || signal?.aborted) throw err;
          opts.onOutage?.(err as Error, wait);
          await sleep(wait, signal);
          continue;
        }
        if (job.data.items.length <= 1) throw err;
        await queue.addBulk(INGEST_QUEUE, job.data.items.map((item) => ({ items: [item], receivedAt: job.data.receivedAt })), enqueue);
        return;
      }
    }
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
