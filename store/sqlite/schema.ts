import type { Db } from './db.ts';

/**
 * Tables of the feedback index. The database file is shared with the job queue, so every table is
 * prefixed and created only if missing. `feedback` is narrow (the fields the in-memory doc values
 * are rebuilt from, so opening a large index scans little); the full document lives in
 * `feedback_doc`. `rid` aliases the rowid so VACUUM never renumbers it: the FTS rows point at it.
 */
const INDEX_SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS feedback (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  seq INTEGER NOT NULL,
  version INTEGER NOT NULL,
  published_ms INTEGER NOT NULL,
  channel TEXT NOT NULL,
  source TEXT NOT NULL,
  initiator TEXT NOT NULL,
  lang TEXT NOT NULL,
  sentiment TEXT NOT NULL,
  complaint INTEGER NOT NULL,
  topics TEXT NOT NULL,
  journey TEXT,
  touchpoint TEXT,
  escalation TEXT NOT NULL,
  duplicate INTEGER NOT NULL,
  survey_metric TEXT,
  survey_score REAL,
  dims TEXT,
  labels TEXT,
  case_id TEXT,
  text_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_seq ON feedback(seq);
CREATE TABLE IF NOT EXISTS feedback_doc (
  rid INTEGER PRIMARY KEY,
  doc TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS feedback_fts USING fts5(
  title, body, sub,
  content='', contentless_delete=1,
  tokenize='porter unicode61 remove_diacritics 2'
);
`;

/** Schema versions per component, shared with the other embedded stores in the same file. */
export function ensureSchema(db: Db, component: string, migrations: readonly string[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  db.transaction(() => {
    const row = db.prepare('SELECT version FROM schema_migrations WHERE component = ?').get(component) as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > migrations.length) {
      throw new Error(`the database holds ${component} schema version ${current}, newer than this program knows (${migrations.length}); upgrade allears`);
    }
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v]!);
    db.prepare('INSERT INTO schema_migrations (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version')
      .run(component, migrations.length);
  }).immediate();
}

export function ensureIndexSchema(db: Db): void {
  ensureSchema(db, 'index', [INDEX_SCHEMA_V1]);
}
