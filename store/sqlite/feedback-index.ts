import type { z } from 'zod';
import {
  ConflictError, Feedback, HistogramQuery, Labels, NotFoundError, QuerySyntaxError, ScoreStatsQuery, SearchQuery,
  Selection, TermsQuery, ValidationError, zodDetails,
  type Bucket, type ErrorDetail, type Filters, type HistogramBucket, type ScoreStats,
} from '../../model/index.ts';
import type { FeedbackIndex, FeedbackPatch, SearchResult, UpsertResult } from '../ports.ts';
import { buckets, scoreStats } from './aggregations.ts';
import type { Db } from './db.ts';
import { joinDoc, splitDoc, storedFields, textHash, type DocValueRow } from './doc-row.ts';
import { DocValues } from './doc-values.ts';
import { histogram } from './histogram.ts';
import { MatchCache, type MatchResult } from './match-cache.ts';
import { cursorFor, decodeCursor, topPage } from './page.ts';
import { compileQuery } from './query-parser.ts';
import { ensureIndexSchema } from './schema.ts';
import { segmentForIndex } from './segment.ts';
import { allDocuments, applyFilters, matchedDocuments, type Candidates } from './selection.ts';
import { prepareStatements, type Statements, type WriteParams } from './statements.ts';

/**
 * The embedded FeedbackIndex: documents and an FTS5 index in SQLite, plus in-memory doc values for
 * filtering, facets and aggregations (see DESIGN.md "Hot paths"). A search asks FTS5 once for the
 * matching rowids, filters and counts over the doc values, and reads only the page's documents.
 *
 * Consistency: every write stamps its rows with a rising `seq`; the doc values apply the rows with a
 * newer seq after each write of this process, and before each read when `PRAGMA data_version` says
 * another connection committed. Another process opening the file rebuilds them from the table.
 */
export class SqliteFeedbackIndex implements FeedbackIndex {
  private readonly stmts: Statements;
  private readonly dv = new DocValues();
  private readonly matches = new MatchCache();
  private lastSeq = 0;
  private dataVersion = -1;

  constructor(private readonly db: Db) {
    ensureIndexSchema(db);
    this.stmts = prepareStatements(db);
    this.dataVersion = this.stmts.dataVersion.get()!;
    this.applyRows(this.stmts.allValues.iterate());
  }

  async upsert(items: readonly Feedback[]): Promise<UpsertResult> {
    const published = checkItems(items);
    const s = this.stmts;
    return this.write((seq) => {
      let created = 0;
      let updated = 0;
      const rows: DocValueRow[] = [];
      items.forEach((item, i) => {
        const existing = s.lookup.get(item.id);
        const fields = storedFields(item, published[i]!);
        const hash = textHash(item);
        // Corrections by people and case links survive a re-crawl that does not carry them.
        const labels = item.labels !== undefined ? labelsJson(item.labels) : (existing?.labels ?? null);
        const caseId = item.caseId !== undefined ? item.caseId : (existing?.case_id ?? null);
        const params: WriteParams = [++seq, (existing?.version ?? 0) + 1, ...fields, labels, caseId, hash];
        let rid: number;
        if (existing) {
          rid = existing.rid;
          s.update.run(...params, rid);
          updated++;
        } else {
          rid = Number(s.insert.run(item.id, ...params).lastInsertRowid);
          created++;
        }
        s.putDoc.run(rid, JSON.stringify(splitDoc(item)));
        if (existing?.text_hash !== hash) {
          const title = segmentForIndex(item.title ?? '');
          const text = segmentForIndex(item.text);
          (existing ? s.replaceText : s.addText).run(rid, title.body, text.body, joinWords(title.sub, text.sub));
        }
        rows.push([rid, seq, ...fields, labels]);
      });
      return { result: { created, updated }, rows };
    });
  }

  async get(id: string): Promise<Feedback | null> {
    const row = this.stmts.getById.get(id);
    return row ? joinDoc(row.doc, row.labels, row.case_id, row.version) : null;
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const q = parse(SearchQuery, query, 'search query');
    const expr = compileQuery(q.q);
    // Without words to rank by, relevance falls back to time.
    const sort = q.sort === 'relevance' && expr !== null ? 'relevance' : 'time';
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, sort);
    const c = this.select(expr, q.filters, sort === 'relevance');
    const facets: Record<string, Bucket[]> = {};
    for (const field of q.facets) facets[field] = buckets(this.dv.column(field), c, q.facetSize);
    const page = topPage(this.dv, c, sort, q.limit, after);
    const items = page.positions.map((p) => this.loadRow(c.rowids[p]!));
    const last = page.positions[page.positions.length - 1];
    const nextCursor = page.remaining > q.limit && last !== undefined ? cursorFor(this.dv, c, sort, last) : null;
    return { total: c.n, items, nextCursor, facets };
  }

  async count(selection?: Selection): Promise<number> {
    const s = parse(Selection, selection ?? {}, 'selection');
    return this.select(compileQuery(s.q), s.filters, false).n;
  }

  async histogram(query: HistogramQuery): Promise<HistogramBucket[]> {
    const q = parse(HistogramQuery, query, 'histogram query');
    const c = this.select(compileQuery(q.q), q.filters, false);
    return histogram(this.dv, c, {
      interval: q.interval,
      from: q.filters.from === undefined ? undefined : Date.parse(q.filters.from),
      to: q.filters.to === undefined ? undefined : Date.parse(q.filters.to),
      split: q.splitBy === undefined ? undefined : { column: this.dv.column(q.splitBy), size: q.splitSize },
    });
  }

  async terms(query: TermsQuery): Promise<Bucket[]> {
    const q = parse(TermsQuery, query, 'terms query');
    return buckets(this.dv.column(q.field), this.select(compileQuery(q.q), q.filters, false), q.size);
  }

  async scoreStats(query: ScoreStatsQuery): Promise<ScoreStats[]> {
    const q = parse(ScoreStatsQuery, query, 'score stats query');
    const c = this.select(compileQuery(q.q), q.filters, false);
    if (q.groupBy !== undefined && !this.dv.column(q.groupBy)) return [];
    return scoreStats(this.dv, c, q.metric, q.groupBy === undefined ? undefined : this.dv.column(q.groupBy), q.size);
  }

  async patch(id: string, patch: FeedbackPatch, opts: { ifVersion?: number } = {}): Promise<Feedback> {
    const s = this.stmts;
    const stored = this.write((seq) => {
      const existing = s.lookup.get(id);
      if (!existing) throw new NotFoundError(`feedback ${id}`);
      if (opts.ifVersion !== undefined && existing.version !== opts.ifVersion) {
        throw new ConflictError(`feedback ${id} is at version ${existing.version}, not ${opts.ifVersion}`);
      }
      const labels = patch.labels === undefined ? existing.labels : mergeLabels(existing.labels, patch.labels);
      const caseId = patch.caseId === undefined ? existing.case_id : patch.caseId;
      s.patch.run(seq + 1, existing.version + 1, labels, caseId, existing.rid);
      return { result: s.getById.get(id)!, rows: [s.valuesOf.get(existing.rid)!] };
    });
    return joinDoc(stored.doc, stored.labels, stored.case_id, stored.version);
  }

  async close(): Promise<void> {
    // The database belongs to whoever opened it (it also holds the job queue); only drop caches.
    this.matches.clear();
  }

  /** Bytes held by the in-memory doc values, for benchmarks and metrics. */
  docValuesBytes(): number {
    return this.dv.bytes();
  }

  /**
   * One write transaction. It takes the write lock first (IMMEDIATE), then applies what other
   * connections committed before it, so `seq` keeps rising and no change is missed; the rows it
   * wrote reach the doc values only once committed.
   */
  private write<T>(work: (maxSeq: number) => { result: T; rows: DocValueRow[] }): T {
    const { result, rows } = this.db.transaction(() => {
      this.refresh();
      return work(this.stmts.maxSeq.get()!);
    }).immediate();
    this.applyRows(rows);
    return result;
  }

  private applyRows(rows: Iterable<DocValueRow>): void {
    let changed = false;
    for (const row of rows) {
      this.dv.apply(row);
      if (row[1] > this.lastSeq) this.lastSeq = row[1];
      changed = true;
    }
    if (changed) this.matches.clear();
  }

  /** Another connection (a CLI import, a second worker) may have committed since the last look. */
  private refresh(): void {
    const version = this.stmts.dataVersion.get()!;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    this.applyRows(this.stmts.changedValues.iterate(this.lastSeq));
  }

  /** The documents matching an FTS5 expression (null: all) and the filters. */
  private select(expr: string | null, filters: Filters, scored: boolean): Candidates {
    this.refresh();
    const c = expr === null ? allDocuments(this.dv) : (() => {
      const m = this.match(expr, scored);
      return matchedDocuments(this.dv, m.rowids, m.scores);
    })();
    applyFilters(this.dv, filters, c);
    return c;
  }

  private match(expr: string, scored: boolean): MatchResult {
    const key = `${scored ? 's' : 'r'}:${expr}`;
    const cached = this.matches.get(key);
    if (cached) return cached;
    let result: MatchResult;
    try {
      if (scored) {
        const rows = this.stmts.matchScored.all(expr);
        result = { rowids: Int32Array.from(rows, (r) => r[0]), scores: Float64Array.from(rows, (r) => r[1]) };
      } else {
        result = { rowids: Int32Array.from(this.stmts.matchRowids.all(expr)), scores: null };
      }
    } catch (err) {
      // The expression is built from quoted terms only, so this is a query the engine cannot run.
      throw new QuerySyntaxError('the search engine could not run this query', [{ path: 'q', message: String((err as Error).message) }]);
    }
    this.matches.set(key, result);
    return result;
  }

  private loadRow(rowid: number): Feedback {
    const row = this.stmts.getByRowid.get(rowid)!;
    return joinDoc(row.doc, row.labels, row.case_id, row.version);
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError(`invalid ${what}`, zodDetails(r.error.issues));
  return r.data;
}

/** The index needs an id and a parseable date; full validation belongs to whoever built the items. */
function checkItems(items: readonly Feedback[]): number[] {
  const details: ErrorDetail[] = [];
  const published = items.map((item, index) => {
    if (typeof item.id !== 'string' || item.id === '') details.push({ path: `items[${index}].id`, message: 'must not be empty', index });
    const ms = Date.parse(item.publishedAt);
    if (!Number.isFinite(ms)) details.push({ path: `items[${index}].publishedAt`, message: 'must be an ISO 8601 date-time', index });
    if (typeof item.text !== 'string') details.push({ path: `items[${index}].text`, message: 'must be a string', index });
    return ms;
  });
  if (details.length > 0) throw new ValidationError(`${details.length} invalid item(s); nothing was stored`, details);
  return published;
}

function joinWords(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a} ${b}`;
}

function labelsJson(labels: Labels): string | null {
  return Object.keys(labels).length === 0 ? null : JSON.stringify(labels);
}

/** Merge a labels patch: `null` removes a correction, anything else replaces it. */
function mergeLabels(current: string | null, patch: Labels): string | null {
  const merged: Record<string, unknown> = current === null ? {} : (JSON.parse(current) as Record<string, unknown>);
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  const r = Labels.safeParse(merged);
  if (!r.success) throw new ValidationError('invalid labels', zodDetails(r.error.issues, 'labels'));
  return labelsJson(r.data);
}
