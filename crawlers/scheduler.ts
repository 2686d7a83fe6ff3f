import type { Logger } from '../config/logger.ts';
import type { SourceConfig } from '../config/schema.ts';
import type { Ingestor } from '../pipeline/ingest.ts';
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

  constructor(
    sources: readonly SourceConfig[],
    kinds: Readonly<Record<string, SourceFactory>>,
    private readonly ingestor: Ingestor,
    private readonly log: Logger,
  ) {
    for (const cfg of sources) {
      if (!cfg.enabled) continue;
      const factory = kinds[cfg.kind];
      if (!factory) {
        log.warn({ source: cfg.id, kind: cfg.kind }, 'no connector for this source kind; skipped');
        continue;
      }
      this.entries.set(cfg.id, {
        source: factory(cfg),
        health: {
          id: cfg.id, kind: cfg.kind, schedule: cfg.schedule ?? null, lastRunAt: null, lastSuccessAt: null,
          lastError: null, lastItems: 0, consecutiveFailures: 0, running: false,
        },
      });
    }
  }

  start(): void {
    for (const entry of this.entries.values()) {
      const every = entry.health.schedule;
      if (every === null) continue;
      const tick = () => {
        this.track(this.runNow(entry.source.id).catch(() => undefined)).finally(() => {
          if (!this.abort.signal.aborted) entry.timer = setTimeout(tick, every);
        });
      };
      entry.timer = setTimeout(tick, 0);
    }
  }

  private track(p: Promise<unknown>): Promise<void> {
    const done = p.then(() => undefined);
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
    return done;
  }

  /** Run one source now; resolves with the number of items accepted. */
  async runNow(id: string): Promise<number> {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`unknown source ${id}`);
    if (entry.health.running) return 0;
    const h = entry.health;
    h.running = true;
    h.lastRunAt = new Date().toISOString();
    try {
      const found = await entry.source.run(this.abort.signal);
      const outcome = await this.ingestor.submit(found, `source:${id}`);
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

  health(): SourceHealth[] {
    return [...this.entries.values()].map((e) => ({ ...e.health }));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const e of this.entries.values()) clearTimeout(e.timer);
    await Promise.allSettled([...this.running]);
  }
}
