import type { z } from 'zod';
import {
  authorKeyOf, ConflictError, HistogramQuery, NotFoundError, QuerySyntaxError, ScoreStatsQuery, SearchQuery, Selection, TermsQuery,
  ValidationError, zodDetails,
  type Bucket, type Feedback, type Filters, type HistogramBucket, type ScoreStats,
} from '../../model/index.ts';
import { checkAuthorWindows } from '../author-windows.ts';
import type { AuthorWindow, FeedbackIndex, FeedbackPatch, SearchResult, UpsertResult } from '../ports.ts';
import { buckets, scoreStats } from './aggregations.ts';
import type { Db } from './db.ts';
import { joinDoc, splitDoc, storedFields, textHash, wordCount, type DocValueRow } from './doc-row.ts';
import { DocValues } from './doc-values.ts';
import { histogram } from './histogram.ts';
import { IdMap, idHash } from './id-map.ts';
import { cursorFor, decodeCursor, topPage } from './page.ts';
import { compileQuery, type CompiledQuery } from './query-parser.ts';
import { approximateScores, EXACT_LIMIT, exactScores, parseRowids, union } from './relevance.ts';
import { ResultCache } from './result-cache.ts';
import { ensureIndexSchema } from './schema.ts';
import { loadSnapshot, saveSnapshot } from './snapshot.ts';
import { segmentForIndex } from './segment.ts';
import { Scratch, selectDocuments, type Candidates } from './selection.ts';
import { checkItems, joinWords, labelsJson, mergeLabels } from './write-input.ts';
import { prepareStatements, type ExistingRow, type Statements, type StoredDoc, type WriteParams } from './statements.ts';

export interface SqliteFeedbackIndexOptions {
  /** Up to this many matches, relevance uses FTS5's exact bm25 (see relevance.ts). */
  exactRelevanceLimit?: number;
  /** Below this many documents the in-memory columns are not worth saving (see snapshot.ts). */
  snapshotMinDocs?: number;
  /** Save the columns again after this many changed rows. */
  snapshotEvery?: number;
}

interface Scored {
  rowids: Int32Array;
  n: number;
  scores: Float64Array;
}

/**
 * The embedded FeedbackIndex: documents and an FTS5 index in SQLite, plus in-memory doc values for
 * filtering, facets and aggregations (see DESIGN.md "Hot paths"). A search asks FTS5 once for the
 * matching rowids, filters and counts over the doc values, and reads only the page's documents.
 *
 * Consistency: every write stamps its rows with a rising `seq`; the doc values apply what this
 * process wrote once it is committed, and what other connections wrote (rows with a newer seq)
 * before each read when `PRAGMA data_version` says they committed, and before each write while
 * holding the write lock. Another process opening the file rebuilds them from the table.
 */
export class SqliteFeedbackIndex implements FeedbackIndex {
  private readonly stmts: Statements;
  private readonly dv: DocValues;
  private readonly ids: IdMap;
  private readonly matches = new ResultCache<Candidates>();
  private readonly scored = new ResultCache<Scored>();
  private readonly selections = new ResultCache<Candidates>();
  private readonly scratch = new Scratch();
  private lastSeq = 0;
  private dataVersion = -1;

  private readonly exactLimit: number;
  private readonly snapshotMinDocs: number;
  private readonly snapshotEvery: number;
  private snapshotSeq = 0;
  private sinceSnapshot = 0;

  constructor(private readonly db: Db, options: SqliteFeedbackIndexOptions = {}) {
    this.exactLimit = options.exactRelevanceLimit ?? EXACT_LIMIT;
    this.snapshotMinDocs = options.snapshotMinDocs ?? 50_000;
    this.snapshotEvery = options.snapshotEvery ?? 250_000;
    ensureIndexSchema(db);
    this.stmts = prepareStatements(db);
    this.dataVersion = this.stmts.dataVersion.get()!;
    const restored = loadSnapshot(db);
    if (restored) {
      ({ dv: this.dv, ids: this.ids, seq: this.lastSeq } = restored);
      this.snapshotSeq = restored.seq;
      this.applyRows(this.stmts.changedValues.iterate(this.lastSeq));
    } else {
      this.dv = new DocValues();
      this.ids = new IdMap();
      this.applyRows(this.stmts.allValues.iterate());
      this.sinceSnapshot = this.dv.count;
    }
    this.maybeSnapshot(this.snapshotMinDocs);
  }

  async upsert(items: readonly Feedback[]): Promise<UpsertResult> {
    const published = checkItems(items);
    const s = this.stmts;
    return this.write((seq, added) => {
      let created = 0;
      let updated = 0;
      const rows: DocValueRow[] = [];
      items.forEach((item, i) => {
        const hash = idHash(item.id);
        const found = this.find(item.id, hash);
        const existing = found?.row;
        const fields = storedFields(item, published[i]!);
        const textKey = textHash(item);
        let textLen = existing?.text_len ?? 0;
        let segmented: [string, string, string] | undefined;
        if (existing?.text_hash !== textKey) {
          const title = segmentForIndex(item.title ?? '');
          const text = segmentForIndex(item.text);
          segmented = [title.body, text.body, joinWords(title.sub, text.sub)];
          textLen = wordCount(title.body) + wordCount(text.body);
        }
        // Corrections by people and case links survive a re-crawl that does not carry them.
        const labels = item.labels !== undefined ? labelsJson(item.labels) : (existing?.labels ?? null);
        const caseId = item.caseId !== undefined ? item.caseId : (existing?.case_id ?? null);
        const params: WriteParams = [
          ++seq, (existing?.version ?? 0) + 1, ...fields, labels, caseId, textKey, textLen, authorKeyOf(item),
        ];
        let rid: number;
        if (found) {
          rid = found.rid;
          s.update.run(...params, rid);
          updated++;
        } else {
          rid = Number(s.insert.run(item.id, hash, ...params).lastInsertRowid);
          // Known at once, so a second copy later in the same batch updates this one.
          this.ids.add(hash, rid);
          added.push([hash, rid]);
          created++;
        }
        s.putDoc.run(rid, JSON.stringify(splitDoc(item)));
        if (segmented) (found ? s.replaceText : s.addText).run(rid, ...segmented);
        rows.push([rid, seq, hash, textLen, ...fields, labels]);
      });
      return { result: { created, updated }, rows };
    });
  }

  async get(id: string): Promise<Feedback | null> {
    this.refresh();
    const found = this.find(id, idHash(id));
    const doc = found && this.stmts.docOf.get(found.rid);
    return doc ? toFeedback(doc) : null;
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const q = parse(SearchQuery, query, 'search query');
    const compiled = compileQuery(q.q);
    // Without words to rank by, relevance falls back to time.
    const sort = q.sort === 'relevance' && compiled !== null ? 'relevance' : 'time';
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, sort);
    let c = this.select(compiled, q.filters);
    const facets: Record<string, Bucket[]> = {};
    for (const field of q.facets) facets[field] = buckets(this.dv.column(field), c, q.facetSize);
    if (sort === 'relevance' && compiled) c = { ...c, scores: this.rank(compiled, c) };
    const page = topPage(this.dv, c, q.limit, after);
    const items = page.positions.map((p) => toFeedback(this.stmts.docOf.get(c.rowids[p]!)!));
    const last = page.positions[page.positions.length - 1];
    const nextCursor = page.remaining > q.limit && last !== undefined ? cursorFor(this.dv, c, last) : null;
    return { total: c.n, items, nextCursor, facets };
  }

  async count(selection?: Selection): Promise<number> {
    const s = parse(Selection, selection ?? {}, 'selection');
    return this.select(compileQuery(s.q), s.filters).n;
  }

  async histogram(query: HistogramQuery): Promise<HistogramBucket[]> {
    const q = parse(HistogramQuery, query, 'histogram query');
    const c = this.select(compileQuery(q.q), q.filters);
    return histogram(this.dv, c, {
      interval: q.interval,
      from: q.filters.from === undefined ? undefined : Date.parse(q.filters.from),
      to: q.filters.to === undefined ? undefined : Date.parse(q.filters.to),
      split: q.splitBy === undefined ? undefined : { column: this.dv.column(q.splitBy), size: q.splitSize },
    });
  }

  async terms(query: TermsQuery): Promise<Bucket[]> {
    const q = parse(TermsQuery, query, 'terms query');
    return buckets(this.dv.column(q.field), this.select(compileQuery(q.q), q.filters), q.size);
  }

  async scoreStats(query: ScoreStatsQuery): Promise<ScoreStats[]> {
    const q = parse(ScoreStatsQuery, query, 'score stats query');
    const c = this.select(compileQuery(q.q), q.filters);
    if (q.groupBy === undefined) return scoreStats(this.dv, c, q.metric, undefined, q.size);
    const column = this.dv.column(q.groupBy);
    return column ? scoreStats(this.dv, c, q.metric, column, q.size) : [];
  }

  async recentByAuthor(queries: readonly AuthorWindow[], limit: number): Promise<string[][]> {
    const checked = checkAuthorWindows(queries, limit);
    const byAuthor = this.stmts.byAuthor;
    return checked.map((q) => byAuthor.all(q.authorKey, q.sinceMs, q.untilMs, limit));
  }

  async patch(id: string, patch: FeedbackPatch, opts: { ifVersion?: number } = {}): Promise<Feedback> {
    const s = this.stmts;
    const stored = this.write((seq) => {
      const found = this.find(id, idHash(id));
      if (!found) throw new NotFoundError(`feedback ${id}`);
      const existing = found.row;
      if (opts.ifVersion !== undefined && existing.version !== opts.ifVersion) {
        throw new ConflictError(`feedback ${id} is at version ${existing.version}, not ${opts.ifVersion}`);
      }
      const labels = patch.labels === undefined ? existing.labels : mergeLabels(existing.labels, patch.labels);
      const caseId = patch.caseId === undefined ? existing.case_id : patch.caseId;
      s.patch.run(seq + 1, existing.version + 1, labels, caseId, found.rid);
      return { result: s.docOf.get(found.rid)!, rows: [s.valuesOf.get(found.rid)!] };
    });
    return toFeedback(stored);
  }

  async close(): Promise<void> {
    // Saved now, the next start skips most of the rebuild. The database itself belongs to whoever
    // opened it (it also holds the job queue), so it stays open.
    if (this.db.open) this.maybeSnapshot(1);
    this.clearCaches();
  }

  /** Bytes held by the in-memory doc values, for benchmarks and metrics. */
  docValuesBytes(): number {
    return this.dv.bytes();
  }

  /** The stored row of an id: the id map names candidate rowids, the row's own id confirms one. */
  private find(id: string, hash: number): { rid: number; row: ExistingRow } | undefined {
    for (const rid of this.ids.candidates(hash)) {
      const row = this.stmts.byRowid.get(rid);
      if (row?.id === id) return { rid, row };
    }
    return undefined;
  }

  /**
   * One write transaction. It takes the write lock first (IMMEDIATE), then applies what other
   * connections committed before it, so `seq` keeps rising and no id is missed; the rows it wrote
   * reach the doc values only once committed, and a rollback takes its ids back out.
   */
  private write<T>(work: (maxSeq: number, added: [number, number][]) => { result: T; rows: DocValueRow[] }): T {
    const added: [number, number][] = [];
    let done: { result: T; rows: DocValueRow[] };
    try {
      done = this.db.transaction(() => {
        this.refresh();
        return work(this.stmts.maxSeq.get()!, added);
      }).immediate();
    } catch (err) {
      for (const [hash, rid] of added) this.ids.remove(hash, rid);
      throw err;
    }
    this.applyRows(done.rows);
    this.maybeSnapshot(this.snapshotEvery);
    return done.result;
  }

  /** Saves the columns once `threshold` rows changed since the last save (and the index is big enough to care). */
  private maybeSnapshot(threshold: number): void {
    if (this.sinceSnapshot < threshold || this.dv.count < this.snapshotMinDocs || this.db.inTransaction) return;
    if (this.lastSeq === this.snapshotSeq) return;
    try {
      saveSnapshot(this.db, this.dv, this.ids, this.lastSeq);
      this.snapshotSeq = this.lastSeq;
      this.sinceSnapshot = 0;
    } catch {
      // Only a speed-up for the next start: a busy or read-only database just means a longer rebuild.
    }
  }

  private applyRows(rows: Iterable<DocValueRow>): void {
    let changed = false;
    for (const row of rows) {
      const rid = row[0];
      if (rid > this.dv.maxRowid || this.dv.present[rid] !== 1) this.ids.add(row[2], rid);
      this.dv.apply(row);
      if (row[1] > this.lastSeq) this.lastSeq = row[1];
      this.sinceSnapshot++;
      changed = true;
    }
    if (changed) this.clearCaches();
  }

  private clearCaches(): void {
    this.matches.clear();
    this.scored.clear();
    this.selections.clear();
  }

  /** Another connection (a CLI import, a second worker) may have committed since the last look. */
  private refresh(): void {
    const version = this.stmts.dataVersion.get()!;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    // No snapshot from here: a read must not wait for the write lock. The writer saves its own.
    this.applyRows(this.stmts.changedValues.iterate(this.lastSeq));
  }

  /** The documents matching a query (null: all) and the filters, ascending by rowid. */
  private select(query: CompiledQuery | null, filters: Filters): Candidates {
    this.refresh();
    const key = `${query?.expr ?? ''}\u0000${JSON.stringify(filters)}`;
    const cached = this.selections.get(key);
    if (cached) return cached;
    const c = selectDocuments(this.dv, query === null ? this.dv.allRowids() : this.matchQuery(query), filters, this.scratch);
    this.selections.set(key, c);
    return c;
  }

  /** Alternatives of terms are fetched term by term: relevance needs each term's matches anyway, and they cache apart. */
  private matchQuery(query: CompiledQuery): Int32Array {
    if (!query.unionOfLeaves) return this.match(query.expr);
    const cached = this.matches.get(query.expr);
    if (cached) return cached.rowids;
    const rowids = union(query.leaves.map((leaf) => this.match(leaf)));
    this.matches.set(query.expr, { rowids, n: rowids.length, scores: null });
    return rowids;
  }

  private match(expr: string): Int32Array {
    const cached = this.matches.get(expr);
    if (cached) return cached.rowids;
    const rowids = parseRowids(this.runMatch(() => this.stmts.matchRowids.get(expr) ?? null), this.scratch);
    this.matches.set(expr, { rowids, n: rowids.length, scores: null });
    return rowids;
  }

  private rank(query: CompiledQuery, c: Candidates): Float64Array {
    const all = this.matchQuery(query);
    if (all.length <= this.exactLimit) {
      let exact = this.scored.get(query.expr);
      if (!exact) {
        const rows = this.runMatch(() => this.stmts.matchScored.all(query.expr)).sort((a, b) => a[0] - b[0]);
        exact = { rowids: Int32Array.from(rows, (r) => r[0]), n: rows.length, scores: Float64Array.from(rows, (r) => r[1]) };
        this.scored.set(query.expr, exact);
      }
      return exactScores(c, exact.rowids, exact.scores);
    }
    // Without an OR every match holds every term, so only the counts matter, not who matched.
    const sets = query.leaves.map((leaf) => (query.anyOf ? this.match(leaf) : null));
    const counts = query.leaves.map((leaf, k) => sets[k]?.length ?? (query.leaves.length === 1 ? all.length : this.match(leaf).length));
    return approximateScores(this.dv, c, sets, counts);
  }

  /** The expression is built from quoted terms only; anything FTS5 still refuses is the query's fault. */
  private runMatch<T>(run: () => T): T {
    try {
      return run();
    } catch (err) {
      throw new QuerySyntaxError('the search engine could not run this query', [{ path: 'q', message: String((err as Error).message) }]);
    }
  }
}

function toFeedback(row: StoredDoc): Feedback {
  return joinDoc(row.doc, row.labels, row.case_id, row.version);
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError(`invalid ${what}`, zodDetails(r.error.issues));
  return r.data;
}
