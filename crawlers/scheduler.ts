import type { Logger } from '../config/logger.ts';
import type { SourceConfig } from '../config/schema.ts';
import type { Ingestor } from '../pipeline/ingest.ts';
import { runWithCheckpoint, type CheckpointStore } from './checkpoint.ts';
import type { Source, SourceFactory, SourceHealth, SourceStatus } from './source.ts';
import type { HealthEventType, SourceStateStore } from './source-state.ts';

export interface SchedulerOptions {
  /** Where health and health events are kept for other roles to read; without it they live in memory only. */
  state?: SourceStateStore;
  now?: () => Date;
  /** How often staleness is checked between runs (pushed sources have no runs). */
  checkEveryMs?: number;
}

const RECENT_RUNS = 10;
const MAX_WARNINGS = 20;
const DAY = 86_400_000;

/** Default quiet time before a scheduled source counts as stale: ten missed schedules, at least a day. */
export function defaultStaleAfter(cfg: SourceConfig): number | null {
  if (cfg.staleAfter !== undefined) return cfg.staleAfter;
  return cfg.schedule === undefined ? null : Math.max(DAY, 10 * cfg.schedule);
}

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
  private readonly now: () => Date;
  /** When watching began: a source that never brought anything is stale this long after it. */
  private readonly since: number;
  private checkTimer?: NodeJS.Timeout;

  constructor(
    sources: readonly SourceConfig[],
    kinds: Readonly<Record<string, SourceFactory>>,
    private readonly ingestor: Ingestor,
    private readonly log: Logger,
    private readonly checkpoints: CheckpointStore,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.since = this.now().getTime();
    for (const cfg of sources) {
      if (!cfg.enabled) continue;
      const health: SourceHealth = {
        id: cfg.id, kind: cfg.kind, status: 'waiting', schedule: cfg.schedule ?? null, staleAfter: defaultStaleAfter(cfg),
        lastRunAt: null, lastSuccessAt: null, lastError: null, lastItemAt: null, lastItems: 0, recentItems: [],
        consecutiveFailures: 0, lastWarnings: [], running: false,
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
        this.transition(health, 'broken');
      }
    }
    for (const h of [...[...this.entries.values()].map((e) => e.health), ...this.broken]) void this.persist(h);
  }

  start(): void {
    const every = this.opts.checkEveryMs ?? 60_000;
    const check = () => {
      this.checkStale();
      if (!this.abort.signal.aborted) this.checkTimer = setTimeout(check, every);
    };
    this.checkTimer = setTimeout(check, every);
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
    h.lastWarnings = [];
    void this.persist(h);
    try {
      // The checkpoint moves only once the items are safely queued.
      const outcome = await runWithCheckpoint(entry.source, this.checkpoints, this.abort.signal,
        (found) => this.ingestor.submit(found, `source:${id}`),
        (warnings) => {
          h.lastWarnings = warnings.slice(0, MAX_WARNINGS);
          this.log.warn({ source: id, warnings }, 'source run warnings');
        });
      if (outcome.rejected) this.log.warn({ source: id, rejected: outcome.rejected, first: outcome.errors[0] }, 'source produced invalid items');
      this.succeeded(h, outcome.accepted);
      return outcome.accepted;
    } catch (err) {
      this.failed(h, err);
      throw err;
    } finally {
      h.running = false;
      void this.persist(h);
    }
  }

  /**
   * A push to a webhook source (POST /api/ingest/:sourceId) counts as a run of it: its health shows
   * the last push and whether it was accepted.
   */
  recordPush(id: string, accepted: number, error: string | null): void {
    const h = this.entries.get(id)?.health;
    if (!h) return;
    h.lastRunAt = this.now().toISOString();
    if (error === null) this.succeeded(h, accepted);
    else this.failed(h, new Error(error));
    void this.persist(h);
  }

  private succeeded(h: SourceHealth, accepted: number): void {
    const at = this.now().toISOString();
    h.lastSuccessAt = at;
    h.lastItems = accepted;
    if (accepted > 0) h.lastItemAt = at;
    h.recentItems = [...h.recentItems, accepted].slice(-RECENT_RUNS);
    h.lastError = null;
    h.consecutiveFailures = 0;
    this.transition(h, this.quietStatus(h));
  }

  private failed(h: SourceHealth, err: unknown): void {
    h.lastError = err instanceof Error ? err.message : String(err);
    h.consecutiveFailures += 1;
    this.log.error({ source: h.id, err: h.lastError, failures: h.consecutiveFailures }, 'source run failed');
    this.transition(h, 'failing');
  }

  /** ok or stale, for a source whose last run succeeded. */
  private quietStatus(h: SourceHealth): SourceStatus {
    if (h.staleAfter === null) return 'ok';
    const lastItem = h.lastItemAt === null ? this.since : Date.parse(h.lastItemAt);
    return this.now().getTime() - lastItem > h.staleAfter ? 'stale' : 'ok';
  }

  /** Time passes between runs too: a pushed source that went quiet turns stale without any run. */
  checkStale(): void {
    for (const { health: h } of this.entries.values()) {
      if (h.running || h.status === 'failing') continue;
      if (h.status === 'waiting' && h.staleAfter === null) continue;
      const next = this.quietStatus(h);
      if (next !== h.status && (next === 'stale' || h.status === 'stale')) {
        this.transition(h, next);
        void this.persist(h);
      }
    }
  }

  /** Moves a source to a new status and raises the health event the change deserves. */
  private transition(h: SourceHealth, next: SourceStatus): void {
    const prev = h.status;
    h.status = next;
    if (prev === next) return;
    let type: HealthEventType | null = null;
    let message = '';
    if (next === 'failing') {
      type = 'source_failing';
      message = `source ${h.id} failed: ${h.lastError}`;
    } else if (next === 'stale') {
      type = 'source_stale';
      message = `source ${h.id} brought nothing new since ${h.lastItemAt ?? new Date(this.since).toISOString()} (quiet for longer than ${Math.round((h.staleAfter ?? 0) / 60_000)} min)`;
    } else if (next === 'broken') {
      type = 'source_broken';
      message = `source ${h.id} cannot be set up: ${h.lastError}`;
    } else if (next === 'ok' && (prev === 'failing' || prev === 'stale')) {
      type = 'source_recovered';
      message = `source ${h.id} is working again (was ${prev})`;
    }
    if (!type) return;
    this.log.warn({ source: h.id, event: type }, message);
    const event = { at: this.now().toISOString(), source: h.id, kind: h.kind, type, message };
    this.opts.state?.addEvent(event).catch((err: Error) => this.log.error({ source: h.id, err: err.message }, 'could not store a health event'));
  }

  private async persist(h: SourceHealth): Promise<void> {
    try {
      await this.opts.state?.saveHealth({ ...h });
    } catch (err) {
      this.log.error({ source: h.id, err: (err as Error).message }, 'could not store source health');
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
    clearTimeout(this.checkTimer);
    for (const e of this.entries.values()) clearTimeout(e.timer);
    await Promise.allSettled([...this.running]);
  }
}
