import type { Logger } from '../config/logger.ts';
import type { SourceConfig } from '../config/schema.ts';
import type { Ingestor } from '../pipeline/ingest.ts';
import { runWithCheckpoint, type CheckpointStore } from './checkpoint.ts';
import type { Source, SourceFactory, SourceHealth } from './source.ts';

interface Entry {
  source: Source;
  health: SourceHealth;
  timer?: NodeJS.Timeout;
}

/**
 * Runs each enabled source on its schedule and hands what it finds to the ingest door. A run never
 * overlaps the previous run of the same source; a failing run is recorded in the source's health.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly abort = new AbortController();
  private running = new Set<Promise<void>>();

  /** Sources whose connector could not be built (unknown kind, bad options): reported, never run. */
  private readonly broken: SourceHealth[] = [];

  constructor(
    sources: readonly SourceConfig[],
    kinds: Readonly<Record<string, SourceFactory>>,
    private readonly ingestor: Ingestor,
    private readonly log: Logger,
    private readonly checkpoints: CheckpointStore,
  ) {
    for (const cfg of sources) {
      if (!cfg.enabled) continue;
      const health: SourceHealth = {
        id: cfg.id, kind: cfg.kind, schedule: cfg.schedule ?? null, lastRunAt: null, lastSuccessAt: null,
        lastError: null, lastItems: 0, consecutiveFailures: 0, running: false,
      };
      const factory = kinds[cfg.kind];
      try {
        if (!factory) throw new Error(`no connector for source kind "${cfg.kind}" (known: ${Object.keys(kinds).join(', ')})`);
        this.entries.set(cfg.id, { source: factory(cfg), health });
      } catch (err) {
        // One misconfigured source must not stop the others.
        health.lastError = err instanceof Error ? err.message : String(err);
        health.consecutiveFailures = 1;
        this.broken.push(health);
        log.error({ source: cfg.id, kind: cfg.kind, err: health.lastError }, 'source disabled: its connector could not be set up');
      }
    }
  }

  start(): void {
    for (const entry of this.entries.values()) {
      const every = entry.health.schedule;
      if (every === null) continue;
      const tick = () => {
        this.runNow(entry.source.id).catch(() => undefined).finally(() => {
          if (!this.abort.signal.aborted) entry.timer = setTimeout(tick, every);
        });
      };
      entry.timer = setTimeout(tick, 0);
    }
  }

  /** Every run, scheduled or asked for through the API, is waited for by `stop`. */
  private track<T>(p: Promise<T>): Promise<T> {
    const settled = p.then(() => undefined, () => undefined);
    this.running.add(settled);
    void settled.finally(() => this.running.delete(settled));
    return p;
  }

  /** Run one source now; resolves with the number of items accepted. */
  runNow(id: string): Promise<number> {
    return this.track(this.runOnce(id));
  }

  private async runOnce(id: string): Promise<number> {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`unknown source ${id}`);
    if (entry.health.running) return 0;
    const h = entry.health;
    h.running = true;
    h.lastRunAt = new Date().toISOString();
    try {
      // The checkpoint moves only once the items are safely queued.
      const outcome = await runWithCheckpoint(entry.source, this.checkpoints, this.abort.signal,
        (found) => this.ingestor.submit(found, `source:${id}`),
        (warnings) => this.log.warn({ source: id, warnings }, 'source run warnings'));
      if (outcome.rejected) this.log.warn({ source: id, rejected: outcome.rejected, first: outcome.errors[0] }, 'source produced invalid items');
      h.lastSuccessAt = new Date().toISOString();
      h.lastItems = outcome.accepted;
      h.lastError = null;
      h.consecutiveFailures = 0;
      return outcome.accepted;
    } catch (err) {
      h.lastError = err instanceof Error ? err.message : String(err);
      h.consecutiveFailures += 1;
      this.log.error({ source: id, err: h.lastError, failures: h.consecutiveFailures }, 'source run failed');
      throw err;
    } finally {
      h.running = false;
    }
  }

  /** False for a source whose connector could not be set up, or that is unknown. */
  canRun(id: string): boolean {
    return this.entries.has(id);
  }

  health(): SourceHealth[] {
    return [...[...this.entries.values()].map((e) => e.health), ...this.broken].map((h) => ({ ...h }));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const e of this.entries.values()) clearTimeout(e.timer);
    await Promise.allSettled([...this.running]);
  }
}
