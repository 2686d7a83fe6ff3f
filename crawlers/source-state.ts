import type { SourceHealth } from './source.ts';

/** What happened to a source that an operator (and the alerting rules) should hear about. */
export const HEALTH_EVENT_TYPES = ['source_failing', 'source_stale', 'source_recovered', 'source_broken'] as const;
export type HealthEventType = (typeof HEALTH_EVENT_TYPES)[number];

export interface HealthEvent {
  /** Increasing per store; pass the last one seen as `after` to read only newer events. */
  seq: number;
  at: string;
  source: string;
  kind: string;
  type: HealthEventType;
  message: string;
}

export type NewHealthEvent = Omit<HealthEvent, 'seq'>;

export interface EventQuery {
  after?: number;
  source?: string;
  limit?: number;
}

/**
 * Where source health and health events are kept, so every role sees them: the crawler role writes,
 * the API role reads. Deliberately left out: deleting or editing events (they are a log).
 */
export interface SourceStateStore {
  saveHealth(health: SourceHealth): Promise<void>;
  listHealth(): Promise<SourceHealth[]>;
  addEvent(event: NewHealthEvent): Promise<HealthEvent>;
  /** Oldest first. */
  events(query?: EventQuery): Promise<HealthEvent[]>;
}

/** Events kept per store; older ones are dropped. */
export const MAX_EVENTS = 10_000;

/** For tests and one-off runs. */
export class MemorySourceStateStore implements SourceStateStore {
  private readonly healths = new Map<string, SourceHealth>();
  private readonly log: HealthEvent[] = [];
  private seq = 0;

  async saveHealth(health: SourceHealth): Promise<void> {
    this.healths.set(health.id, structuredClone(health));
  }

  async listHealth(): Promise<SourceHealth[]> {
    return [...this.healths.values()].map((h) => structuredClone(h));
  }

  async addEvent(event: NewHealthEvent): Promise<HealthEvent> {
    const stored = { ...event, seq: ++this.seq };
    this.log.push(stored);
    if (this.log.length > MAX_EVENTS) this.log.splice(0, this.log.length - MAX_EVENTS);
    return { ...stored };
  }

  async events(query: EventQuery = {}): Promise<HealthEvent[]> {
    return selectEvents(this.log, query);
  }
}

export function selectEvents(log: readonly HealthEvent[], { after = 0, source, limit = 100 }: EventQuery): HealthEvent[] {
  return log.filter((e) => e.seq > after && (source === undefined || e.source === source)).slice(0, limit).map((e) => ({ ...e }));
}
