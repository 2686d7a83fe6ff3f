import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { JobQueue } from './queue/port.ts';

/** Everything /metrics shows. One registry per runtime, so tests never share counters. */
export class Metrics {
  readonly registry = new Registry();
  readonly ingested = new Counter({
    name: 'allears_items_ingested_total', help: 'Items accepted for processing, by source.', labelNames: ['source'], registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'allears_items_rejected_total', help: 'Items refused at ingest because they were invalid.', labelNames: ['entry'], registers: [this.registry],
  });
  readonly processed = new Counter({
    name: 'allears_items_processed_total', help: 'Items that went through a pipeline stage.', labelNames: ['stage'], registers: [this.registry],
  });
  readonly failed = new Counter({
    name: 'allears_items_failed_total', help: 'Items in batches that failed in a stage.', labelNames: ['stage'], registers: [this.registry],
  });
  readonly stageSeconds = new Histogram({
    name: 'allears_stage_duration_seconds', help: 'Time a stage spends on one batch.', labelNames: ['stage'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  readonly indexed = new Counter({
    name: 'allears_items_indexed_total', help: 'Items written to the index (created or updated).', labelNames: ['result'], registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'allears_http_requests_total', help: 'HTTP requests by route and status.', labelNames: ['method', 'route', 'status'], registers: [this.registry],
  });

  /** Metrics of other threads of this process (pipeline worker threads), merged into `render`. */
  private readonly others: Array<() => Promise<MetricsJson>> = [];

  /**
   * `queue`: report its depth. `processMetrics`: Node's own (memory, event loop, GC); only one
   * registry per process should, or merged figures would count the process twice.
   */
  constructor(opts: { queue?: JobQueue; processMetrics?: boolean } = {}) {
    const { queue, processMetrics = true } = opts;
    if (processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'allears_' });
    if (queue) {
      new Gauge({
        name: 'allears_queue_depth', help: 'Jobs in the queue by state.', labelNames: ['queue', 'state'], registers: [this.registry],
        async collect() {
          for (const s of await queue.stats()) {
            for (const state of ['waiting', 'active', 'delayed', 'dead'] as const) this.set({ queue: s.queue, state }, s[state]);
          }
        },
      });
    }
  }

  addSource(fetch: () => Promise<MetricsJson>): void {
    this.others.push(fetch);
  }

  async json(): Promise<MetricsJson> {
    return this.registry.getMetricsAsJSON();
  }

  /** Prometheus text of this registry plus every added source, counters summed. */
  async render(): Promise<string> {
    if (!this.others.length) return this.registry.metrics();
    const all = await Promise.all([this.json(), ...this.others.map((f) => f().catch(() => [] as MetricsJson))]);
    return AggregatorRegistry.aggregate(all).metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];
