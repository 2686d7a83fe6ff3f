import type { SourceConfig } from '../config/schema.ts';
import type { JobQueue } from '../pipeline/queue/port.ts';
import type { CheckpointStore, Json } from './checkpoint.ts';
import type { Scheduler } from './scheduler.ts';
import type { SourceHealth } from './source.ts';
import type { EventQuery, HealthEvent, SourceStateStore } from './source-state.ts';

/** Runs asked for through the API travel on this queue to whichever process runs the crawler role. */
export const CRAWL_QUEUE = 'crawl';
export interface CrawlJob {
  sourceId: string;
}

/** A source as the API shows it: its config, its health, and where its checkpoint stands. */
export interface SourceView extends SourceHealth {
  enabled: boolean;
  checkpoint: Json | null;
}

/**
 * What the API knows of the sources, whichever process runs them. Health comes from the shared
 * state store (written by the crawler role) merged with this process's own scheduler, the most
 * recent run winning; a run asked for goes to the local scheduler when it runs the source, else on
 * the crawl queue.
 */
export class SourceDirectory {
  constructor(
    private readonly sources: readonly SourceConfig[],
    private readonly state: SourceStateStore,
    private readonly checkpoints: CheckpointStore,
    private readonly local: { scheduler: Scheduler; runs: boolean } | null,
    private readonly queue: JobQueue | null,
  ) {}

  async list(): Promise<SourceView[]> {
    const stored = new Map((await this.state.listHealth()).map((h) => [h.id, h]));
    const mine = new Map((this.local?.scheduler.health() ?? []).map((h) => [h.id, h]));
    const out: SourceView[] = [];
    for (const cfg of this.sources) {
      const a = stored.get(cfg.id);
      const b = mine.get(cfg.id);
      const health = newer(a, b) ?? blank(cfg);
      out.push({ ...health, enabled: cfg.enabled, checkpoint: cfg.enabled ? await this.checkpoints.get(cfg.id) : null });
    }
    return out;
  }

  async get(id: string): Promise<SourceView | null> {
    return (await this.list()).find((s) => s.id === id) ?? null;
  }

  /** Why a source cannot run now, or null when it can. */
  async refusal(id: string): Promise<string | null> {
    const view = await this.get(id);
    if (!view) return null;
    if (!view.enabled) return `source ${id} is disabled in the config`;
    if (view.status === 'broken') return `source ${id} cannot run: ${view.lastError ?? 'not set up'}`;
    if (view.kind === 'webhook') return `source ${id} is a webhook: its items are pushed to POST /api/ingest/${id}`;
    return null;
  }

  /** Starts a run; `local` when this process runs it, `queued` when the crawler role will. */
  async run(id: string): Promise<'local' | 'queued'> {
    if (this.local?.runs && this.local.scheduler.canRun(id)) {
      void this.local.scheduler.runNow(id).catch(() => undefined);
      return 'local';
    }
    if (!this.queue) throw new Error(`no process here runs source ${id}, and there is no queue to ask one`);
    await this.queue.add<CrawlJob>(CRAWL_QUEUE, { sourceId: id }, { maxAttempts: 1 });
    return 'queued';
  }

  recordPush(id: string, accepted: number, error: string | null): void {
    this.local?.scheduler.recordPush(id, accepted, error);
  }

  events(query?: EventQuery): Promise<HealthEvent[]> {
    return this.state.events(query);
  }
}

function newer(a: SourceHealth | undefined, b: SourceHealth | undefined): SourceHealth | undefined {
  if (!a) return b;
  if (!b) return a;
  // The in-process record wins ties: it is live (running flag, pushes not yet stored).
  return (a.lastRunAt ?? '') > (b.lastRunAt ?? '') ? a : b;
}

function blank(cfg: SourceConfig): SourceHealth {
  return {
    id: cfg.id, kind: cfg.kind, status: 'waiting', schedule: cfg.schedule ?? null, staleAfter: null,
    lastRunAt: null, lastSuccessAt: null, lastError: null, lastItemAt: null, lastItems: 0, recentItems: [],
    consecutiveFailures: 0, lastWarnings: [], running: false,
  };
}
