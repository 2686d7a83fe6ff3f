import type { Db } from '../store/sqlite/db.ts';
import type { CheckpointStore, Json } from './checkpoint.ts';

/** Checkpoints in the embedded database, beside the index and the job queue. */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly select;
  private readonly upsert;

  constructor(db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS source_checkpoints (
      source_id TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`);
    this.select = db.prepare<[string], { value: string }>('SELECT value FROM source_checkpoints WHERE source_id = ?');
    this.upsert = db.prepare<[string, string, string]>(
      `INSERT INTO source_checkpoints (source_id, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (source_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }

  async get(sourceId: string): Promise<Json | null> {
    const row = this.select.get(sourceId);
    return row ? (JSON.parse(row.value) as Json) : null;
  }

  async set(sourceId: string, value: Json): Promise<void> {
    this.upsert.run(sourceId, JSON.stringify(value), new Date().toISOString());
  }
}
