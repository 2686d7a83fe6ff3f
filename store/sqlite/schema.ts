import { authorKeyOf, type Feedback } from '../../model/index.ts';
import type { Db } from './db.ts';
import { textHash, wordCount } from './doc-row.ts';
import { idHash } from './id-map.ts';
import { segmentForIndex } from './segment.ts';

/** A migration step: SQL, or code when rows must be computed. Steps run in one transaction. */
export type Migration = string | ((db: Db) => void);

/** Schema versions per component, shared with the other embedded stores in the same file. */
export function ensureSchema(db: Db, component: string, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  db.transaction(() => {
    const row = db.prepare('SELECT version FROM schema_migrations WHERE component = ?').get(component) as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > migrations.length) {
      throw new Error(`the database holds ${component} schema version ${current}, newer than this program knows (${migrations.length}); upgrade allears`);
    }
    for (let v = current; v < migrations.length; v++) {
      const step = migrations[v]!;
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    db.prepare('INSERT INTO schema_migrations (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version')
      .run(component, migrations.length);
  }).immediate();
}

/**
 * Tables of the feedback index. The database file is shared with the job queue, so every table is
 * prefixed and created only if missing. `feedback` is narrow (the fields the in-memory doc values
 * are rebuilt from); the full document lives in `feedback_doc`. `rid` aliases the rowid so VACUUM
 * never renumbers it: the FTS rows point at it.
 */
export const INDEX_SCHEMA_V1 = `
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

const FEEDBACK_V2 = `
CREATE TABLE feedback_v2 (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  id_hash INTEGER NOT NULL,
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
  text_hash TEXT NOT NULL,
  text_len INTEGER NOT NULL
)`;

/**
 * Version 2: no SQL index on the random `id` (the IdMap in memory replaces it; the index cost ~60 µs
 * per upserted item at a million rows), `id_hash` to rebuild that map, `text_len` for relevance,
 * and the snapshot table. Rows keep their rid, so the full-text rows stay valid.
 */
function indexSchemaV2(db: Db): void {
  db.exec(FEEDBACK_V2);
  const copy = db.prepare(`INSERT INTO feedback_v2 SELECT rid, id, ?, seq, version, published_ms, channel, source, initiator, lang,
    sentiment, complaint, topics, journey, touchpoint, escalation, duplicate, survey_metric, survey_score, dims, labels, case_id, ?, ?
    FROM feedback WHERE rid = ?`);
  // All at once: better-sqlite3 runs nothing else on a connection while an iterator is open.
  const rows = db.prepare('SELECT f.rid, f.id, d.doc FROM feedback f LEFT JOIN feedback_doc d ON d.rid = f.rid').all() as
    { rid: number; id: string; doc: string | null }[];
  for (const { rid, id, doc } of rows) {
    const f = doc === null ? undefined : (JSON.parse(doc) as Feedback);
    const words = f ? wordCount(segmentForIndex(f.title ?? '').body) + wordCount(segmentForIndex(f.text).body) : 0;
    copy.run(idHash(id), f ? textHash(f) : '', words, rid);
  }
  db.exec(`
    DROP TABLE feedback;
    ALTER TABLE feedback_v2 RENAME TO feedback;
    CREATE INDEX feedback_seq ON feedback(seq);
    CREATE TABLE feedback_snapshot (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      format INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      meta TEXT NOT NULL,
      data BLOB NOT NULL
    );
  `);
}

/**
 * Version 3: `author_key` (model/author-key.ts) and an index on (author_key, published_ms) for
 * repeat-contact lookups. Existing rows get their key from the stored document, through the same
 * function new writes use (registered as an SQL function for the one UPDATE).
 */
function indexSchemaV3(db: Db): void {
  db.exec('ALTER TABLE feedback ADD COLUMN author_key TEXT');
  // The fields come out of the JSON in SQL (much cheaper than parsing each document in JS).
  const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
  db.function('allears_author_key', { deterministic: true }, (customerRef: unknown, id: unknown, handle: unknown, kind: unknown) =>
    authorKeyOf({ customerRef: str(customerRef), author: { id: str(id), handle: str(handle) }, source: { id: '', kind: str(kind) ?? '' } }));
  db.exec(`
    UPDATE feedback SET author_key = (
      SELECT allears_author_key(json_extract(d.doc, '$.customerRef'), json_extract(d.doc, '$.author.id'),
        json_extract(d.doc, '$.author.handle'), json_extract(d.doc, '$.source.kind'))
      FROM feedback_doc d WHERE d.rid = feedback.rid);
    CREATE INDEX feedback_author ON feedback(author_key, published_ms) WHERE author_key IS NOT NULL;
  `);
}

/** The index's migrations in order: version n is the first n of them. */
export const INDEX_MIGRATIONS: readonly Migration[] = [INDEX_SCHEMA_V1, indexSchemaV2, indexSchemaV3];

export function ensureIndexSchema(db: Db): void {
  ensureSchema(db, 'index', INDEX_MIGRATIONS);
}
