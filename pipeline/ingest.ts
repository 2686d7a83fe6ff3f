import type { Config } from '../config/schema.ts';
import { RawItem, feedbackId, formatPath, type ErrorDetail } from '../model/index.ts';
import type { Metrics } from './metrics.ts';
import type { JobQueue } from './queue/port.ts';
import { INGEST_QUEUE, type IngestJob } from './runner.ts';

export interface IngestOutcome {
  accepted: number;
  rejected: number;
  /** Feedback ids of the accepted items, in input order. */
  ids: string[];
  /** One entry per problem of a rejected item: its index in the input and the field. */
  errors: ErrorDetail[];
}

/**
 * The single door into the pipeline for every entry point (API, import, demo, connectors):
 * validate each item on its own, store the valid ones durably as jobs, report the others by
 * index and field. When this resolves, the accepted items are safe on disk.
 */
export class Ingestor {
  constructor(
    private readonly queue: JobQueue,
    private readonly config: Config,
    private readonly metrics?: Metrics,
  ) {}

  validate(inputs: readonly unknown[], firstIndex = 0): { items: RawItem[]; ids: string[]; errors: ErrorDetail[] } {
    const items: RawItem[] = [];
    const ids: string[] = [];
    const errors: ErrorDetail[] = [];
    inputs.forEach((input, i) => {
      const index = firstIndex + i;
      const parsed = RawItem.safeParse(input);
      if (parsed.success) {
        items.push(parsed.data);
        ids.push(feedbackId(parsed.data.source.id, parsed.data.externalId));
      } else {
        for (const issue of parsed.error.issues) {
          errors.push({ index, path: formatPath(`items[${index}]`, issue.path), message: issue.message });
        }
      }
    });
    return { items, ids, errors };
  }

  async submit(inputs: readonly unknown[], entry = 'api'): Promise<IngestOutcome> {
    const { items, ids, errors } = this.validate(inputs);
    await this.enqueue(items);
    const rejected = new Set(errors.map((e) => e.index)).size;
    this.metrics?.rejected.inc({ entry }, rejected);
    return { accepted: items.length, rejected, ids, errors };
  }

  /** Store already validated items as jobs of `worker.batchSize` items each. */
  async enqueue(items: readonly RawItem[]): Promise<void> {
    if (!items.length) return;
    const { batchSize, maxAttempts, backoff } = this.config.worker;
    const receivedAt = new Date().toISOString();
    const jobs: IngestJob[] = [];
    for (let i = 0; i < items.length; i += batchSize) jobs.push({ items: items.slice(i, i + batchSize), receivedAt });
    await this.queue.addBulk(INGEST_QUEUE, jobs, { maxAttempts, backoffMs: backoff });
    const bySource = new Map<string, number>();
    for (const it of items) bySource.set(it.source.id, (bySource.get(it.source.id) ?? 0) + 1);
    for (const [source, n] of bySource) this.metrics?.ingested.inc({ source }, n);
  }
}
