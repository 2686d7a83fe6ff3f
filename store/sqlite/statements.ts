import type { Db } from './db.ts';
import { DOC_VALUE_SELECT, FIELD_COLUMNS, type DocValueRow, type StoredFields } from './doc-row.ts';

export type WriteParams = [seq: number, version: number, ...fields: StoredFields, labels: string | null, caseId: string | null, textHash: string];

export interface ExistingRow {
  rid: number;
  version: number;
  labels: string | null;
  case_id: string | null;
  text_hash: string;
}

export interface StoredDoc {
  doc: string;
  labels: string | null;
  case_id: string | null;
  version: number;
}

/** Positional parameters in this order, then the rowid for updates. */
export const WRITE_COLUMNS = ['seq', 'version', ...FIELD_COLUMNS, 'labels', 'case_id', 'text_hash'] as const;

/** Prepared once per index: better-sqlite3 statements are cheap to run, costly to prepare. */
export function prepareStatements(db: Db) {
  return {
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    maxSeq: db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM feedback').pluck(),
    lookup: db.prepare<[string], ExistingRow>('SELECT rid, version, labels, case_id, text_hash FROM feedback WHERE id = ?'),
    insert: db.prepare<[string, ...WriteParams]>(
      `INSERT INTO feedback (id, ${WRITE_COLUMNS.join(', ')}) VALUES (?, ${WRITE_COLUMNS.map(() => '?').join(', ')})`,
    ),
    update: db.prepare<[...WriteParams, number]>(`UPDATE feedback SET ${WRITE_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE rid = ?`),
    patch: db.prepare<[number, number, string | null, string | null, number]>(
      'UPDATE feedback SET seq = ?, version = ?, labels = ?, case_id = ? WHERE rid = ?'),
    putDoc: db.prepare<[number, string]>('INSERT OR REPLACE INTO feedback_doc (rid, doc) VALUES (?, ?)'),
    addText: db.prepare<[number, string, string, string]>('INSERT INTO feedback_fts (rowid, title, body, sub) VALUES (?, ?, ?, ?)'),
    replaceText: db.prepare<[number, string, string, string]>(
      'INSERT OR REPLACE INTO feedback_fts (rowid, title, body, sub) VALUES (?, ?, ?, ?)'),
    valuesOf: db.prepare<[number], DocValueRow>(`SELECT ${DOC_VALUE_SELECT} FROM feedback WHERE rid = ?`).raw(),
    getById: db.prepare<[string], StoredDoc>(
      'SELECT d.doc, f.labels, f.case_id, f.version FROM feedback f JOIN feedback_doc d ON d.rid = f.rid WHERE f.id = ?',
    ),
    getByRowid: db.prepare<[number], StoredDoc>(
      'SELECT d.doc, f.labels, f.case_id, f.version FROM feedback f JOIN feedback_doc d ON d.rid = f.rid WHERE f.rid = ?',
    ),
    allValues: db.prepare<[], DocValueRow>(`SELECT ${DOC_VALUE_SELECT} FROM feedback`).raw(),
    changedValues: db.prepare<[number], DocValueRow>(`SELECT ${DOC_VALUE_SELECT} FROM feedback WHERE seq > ?`).raw(),
    matchRowids: db.prepare<[string], number>('SELECT rowid FROM feedback_fts WHERE feedback_fts MATCH ?').pluck(),
    // Title words weigh double; search-mode sub-words half, so whole-word hits rank first.
    matchScored: db
      .prepare<[string], [number, number]>('SELECT rowid, bm25(feedback_fts, 2.0, 1.0, 0.5) FROM feedback_fts WHERE feedback_fts MATCH ?')
      .raw(),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
