import type { Db } from '../store/sqlite/db.ts';
import type { SourceHealth } from './source.ts';
import { MAX_EVENTS, type EventQuery, type HealthEvent, type NewHealthEvent, type SourceStateStore } from './source-state.ts';

/** Source health and health events in the embedded database, beside the checkpoints. */
export class SqliteSourceStateStore implements SourceStateStore {
  private readonly upsertHealth;
  private readonly selectHealth;
  private readonly insertEvent;
  private readonly trimEvents;

  constructor(private readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS source_health (
      source_id TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS source_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      source_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      type TEXT NOT NULL,
      message TEXT NOT NULL
    )`);
    this.upsertHealth = db.prepare<[string, string]>(
      'INSERT INTO source_health (source_id, value) VALUES (?, ?) ON CONFLICT (source_id) DO UPDATE SET value = excluded.value',
    );
    this.selectHealth = db.prepare<[], { value: string }>('SELECT value FROM source_health ORDER BY source_id');
    this.insertEvent = db.prepare<[string, string, string, string, string]>(
      'INSERT INTO source_events (at, source_id, kind, type, message) VALUES (?, ?, ?, ?, ?)',
    );
    this.trimEvents = db.prepare<[number]>('DELETE FROM source_events WHERE seq <= ?');
  }

  async saveHealth(health: SourceHealth): Promise<void> {
    this.upsertHealth.run(health.id, JSON.stringify(health));
  }

  async listHealth(): Promise<SourceHealth[]> {
    return this.selectHealth.all().map((r) => JSON.parse(r.value) as SourceHealth);
  }

  async addEvent(event: NewHealthEvent): Promise<HealthEvent> {
    const { lastInsertRowid } = this.insertEvent.run(event.at, event.source, event.kind, event.type, event.message);
    const seq = Number(lastInsertRowid);
    if (seq > MAX_EVENTS && seq % 100 === 0) this.trimEvents.run(seq - MAX_EVENTS);
    return { ...event, seq };
  }

  async events({ after = 0, source, limit = 100 }: EventQuery = {}): Promise<HealthEvent[]> {
    const rows = source === undefined
      ? this.db.prepare<[number, number], EventRow>('SELECT * FROM source_events WHERE seq > ? ORDER BY seq LIMIT ?').all(after, limit)
      : this.db.prepare<[number, string, number], EventRow>('SELECT * FROM source_events WHERE seq > ? AND source_id = ? ORDER BY seq LIMIT ?').all(after, source, limit);
    return rows.map((r) => ({ seq: r.seq, at: r.at, source: r.source_id, kind: r.kind, type: r.type as HealthEvent['type'], message: r.message }));
  }
}

interface EventRow {
  seq: number;
  at: string;
  source_id: string;
  kind: string;
  type: string;
  message: string;
}
