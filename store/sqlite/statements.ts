import type { Db } from './db.ts';
import { DOC_VALUE_SELECT, FIELD_COLUMNS, type DocValueRow, type StoredFields } from './doc-row.ts';

export interface ExistingRow {
  id: string;
  version: number;
  labels: string | null;
  case_id: string | null;
  text_hash: string;
  text_len: number;
}

export interface StoredDoc {
  id: string;
  doc: string;
  labels: string | null;
  case_id: string | null;
  version: number;
}

/** Positional parameters of insert and update, in this order (then the rowid for updates). */
const WRITE_COLUMNS = ['seq', 'version', ...FIELD_COLUMNS, 'labels', 'case_id', 'text_hash', 'text_len', 'author_key'] as const;
export type WriteParams = [
  seq: number, version: number, ...fields: StoredFields, labels: string | null, caseId: string | null,
  textHash: string, textLen: number, authorKey: string | null,
];

/** Prepared once per index: better-sqlite3 statements are cheap to run, costly to prepare. */
export function prepareStatements(db: Db) {
  return {
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    maxSeq: db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM feedback').pluck(),
    byRowid: db.prepare<[number], ExistingRow>('SELECT id, version, labels, case_id, text_hash, text_len FROM feedback WHERE rid = ?'),
    insert: db.prepare<[string, number, ...WriteParams]>(
      `INSERT INTO feedback (id, id_hash, ${WRITE_COLUMNS.join(', ')}) VALUES (?, ?, ${WRITE_COLUMNS.map(() => '?').join(', ')})`,
    ),
    update: db.prepare<[...WriteParams, number]>(`UPDATE feedback SET ${WRITE_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE rid = ?`),
    patch: db.prepare<[number, number, string | null, string | null, number]>(
      'UPDATE feedback SET seq = ?, version = ?, labels = ?, case_id = ? WHERE rid = ?'),
    putDoc: db.prepare<[number, string]>('INSERT OR REPLACE INTO feedback_doc (rid, doc) VALUES (?, ?)'),
    addText: db.prepare<[number, string, string, string]>('INSERT INTO feedback_fts (rowid, title, body, sub) VALUES (?, ?, ?, ?)'),
    replaceText: db.prepare<[number, string, string, string]>(
      'INSERT OR REPLACE INTO feedback_fts (rowid, title, body, sub) VALUES (?, ?, ?, ?)'),
    valuesOf: db.prepare<[number], DocValueRow>(`SELECT ${DOC_VALUE_SELECT} FROM feedback WHERE rid = ?`).raw(),
    docOf: db.prepare<[number], StoredDoc>(
      'SELECT f.id, d.doc, f.labels, f.case_id, f.version FROM feedback f JOIN feedback_doc d ON d.rid = f.rid WHERE f.rid = ?',
    ),
    allValues: db.prepare<[], DocValueRow>(`SELECT ${DOC_VALUE_SELECT} FROM feedback`).raw(),
    changedValues: db.prepare<[number], DocValueRow>(`SELECT ${DOC_VALUE_SELECT} FROM feedback WHERE seq > ?`).raw(),
    // Served by the (author_key, published_ms) index: a short range scan per question.
    byAuthor: db.prepare<[string, number, number, number], string>(
      'SELECT id FROM feedback WHERE author_key = ? AND published_ms BETWEEN ? AND ? ORDER BY published_ms DESC, rid DESC LIMIT ?').pluck(),
    // One string instead of a JS value per row: ~2x faster for large match sets (see fts-match.ts).
    matchRowids: db.prepare<[string], string | null>(
      'SELECT group_concat(rowid) FROM feedback_fts WHERE feedback_fts MATCH ?').pluck(),
    // Title words weigh double; search-mode sub-words half, so whole-word hits rank first.
    matchScored: db
      .prepare<[string], [number, number]>('SELECT rowid, bm25(feedback_fts, 2.0, 1.0, 0.5) FROM feedback_fts WHERE feedback_fts MATCH ?')
      .raw(),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
