import { Client, errors, type estypes } from '@elastic/elasticsearch';
import type { z } from 'zod';
import {
  AllearsError, ConflictError, HistogramQuery, NotFoundError, ScoreStatsQuery, SearchQuery, Selection, TermsQuery,
  TransientError, ValidationError, zodDetails,
  type Bucket, type Feedback, type HistogramBucket, type Labels, type ScoreStats,
} from '../../model/index.ts';
import { checkAuthorWindows, MAX_CONTACTS_LIMIT } from '../author-windows.ts';
import type { AuthorWindow, FeedbackIndex, FeedbackPatch, SearchResult, UpsertResult } from '../ports.ts';
import { parseSearchQuery } from '../query-syntax.ts';
import { checkItems, mergeLabels } from '../sqlite/write-input.ts';
import {
  boundsOf, bucketsOf, CALENDAR_INTERVAL, fillHistogram, MAX_BUCKETS, SCORE_AGGS, toBuckets, toScoreStats, tooManyBuckets,
  type SplitCounts,
} from './aggregations.ts';
import { fromSource, toDocument, type EsDocument } from './document.ts';
import { IndexRejectedError, isTransientStatus, reasonOf, safeUrl, translateError, type RejectedItem } from './errors.ts';
import { fieldPath, indexNames, indexTemplate, SCHEMA_VERSION, type IndexNames } from './mapping.ts';
import { parseOptions, type ElasticsearchIndexOptions, type ElasticsearchIndexSettings, type RolloverConditions } from './options.ts';
import { decodeCursor, encodeCursor, selectionQuery, sortFor, termsAgg } from './query.ts';

type Query = estypes.QueryDslQueryContainer;

/** Where an id is stored now: the backing index, its concurrency token and the stored document. */
interface Stored {
  index: string;
  seqNo: number;
  primaryTerm: number;
  doc: Feedback;
}

/** One id of an upsert batch (repeats of an id within the batch fold into one write). */
interface Pending {
  id: string;
  /** Position of the id's last occurrence in the batch. */
  pos: number;
  occurrences: Feedback[];
  /** undefined: not looked up yet; null: not stored anywhere. */
  stored?: Stored | null;
  /** Other copies of the id (left by an older version or a race) that the write removes. */
  strays: string[];
  /** Set by a create that found the id already in `index`: read it there before trying again. */
  recheckIn?: string;
  attempts: number;
  conflicts: number;
}

export interface RolloverResult {
  rolledOver: boolean;
  oldIndex: string;
  newIndex: string;
}

/** Ids per lookup and per round of bulk writes. */
const CHUNK = 1000;
/** Repeat-contact questions per search (buckets of one filters aggregation). */
const CONTACT_CHUNK = 500;
/** Upper bound of one bulk request body, well under the engine's default 100 MB. */
const MAX_BULK_BYTES = 20 * 1024 * 1024;
/** Writes of one id that lost a race with another writer before giving up. */
const MAX_CONFLICTS = 10;

/**
 * The FeedbackIndex on Elasticsearch 8: documents in rolling backing indices behind a write alias
 * (`<prefix>-feedback`) and read through an alias over all of them (`<prefix>-feedback-read`),
 * set up from one composable index template (see mapping.ts). The query language, its Chinese
 * segmentation and English stemming are the embedded index's, so both find the same documents.
 *
 * An id lives in exactly one backing index: a write first looks the id up across all of them and
 * replaces it where it is (guarded by its seq_no/primary_term), and only an unknown id is created
 * through the write alias. By default writes return once a refresh made them visible (`refresh:
 * 'wait_for'`), so a search right after an upsert or patch sees it, as with the embedded index; the
 * workers of a deployment set `refresh: false` for upserts (elasticsearch.refresh in the config), and
 * their items show in searches within the refresh interval.
 */
export class ElasticsearchFeedbackIndex implements FeedbackIndex {
  readonly names: IndexNames;
  private readonly url: string;

  private constructor(
    private readonly client: Client,
    private readonly settings: ElasticsearchIndexSettings,
    private readonly ownsClient: boolean,
  ) {
    this.names = indexNames(settings.indexPrefix);
    this.url = settings.node;
  }

  /**
   * Connects, installs (or updates) the index template and creates the first backing index and
   * its aliases when missing. `client`: an existing client to use (it is then not closed by close()).
   */
  static async open(options: ElasticsearchIndexOptions, deps: { client?: Client } = {}): Promise<ElasticsearchFeedbackIndex> {
    const settings = parseOptions(options);
    const client = deps.client ?? new Client({
      node: settings.node,
      ...(settings.auth ? { auth: settings.auth } : {}),
      requestTimeout: settings.requestTimeoutMs,
      maxRetries: 2,
    });
    const index = new ElasticsearchFeedbackIndex(client, settings, !deps.client);
    try {
      await index.setup();
    } catch (err) {
      if (!deps.client) await client.close().catch(() => undefined);
      throw err;
    }
    return index;
  }

  async upsert(items: readonly Feedback[]): Promise<UpsertResult> {
    checkItems(items);
    const byId = new Map<string, Pending>();
    items.forEach((item, pos) => {
      const p = byId.get(item.id);
      if (p) {
        p.occurrences.push(item);
        p.pos = pos;
      } else byId.set(item.id, { id: item.id, pos, occurrences: [item], strays: [], attempts: 0, conflicts: 0 });
    });
    const result: UpsertResult = { created: 0, updated: 0 };
    const rejected: RejectedItem[] = [];
    const exhausted: Array<{ p: Pending; reason: string }> = [];
    const all = [...byId.values()];
    for (let start = 0; start < all.length; start += CHUNK) {
      await this.writeChunk(all.slice(start, start + CHUNK), result, rejected, exhausted);
    }
    if (exhausted.length > 0) {
      const first = exhausted[0]!;
      throw new TransientError(
        `Elasticsearch at ${safeUrl(this.url)} kept failing ${exhausted.length} item(s) after ${this.settings.maxItemAttempts} attempts `
        + `(first: feedback ${first.p.id}: ${first.reason}); ${result.created + result.updated} other item(s) were stored`,
      );
    }
    if (rejected.length > 0) throw new IndexRejectedError(rejected.sort((a, b) => a.index - b.index), result);
    return result;
  }

  async get(id: string): Promise<Feedback | null> {
    const found = (await this.locate([id])).get(id);
    if (!found || found.length === 0) return null;
    const stored = await this.fetch(found.map((index) => ({ id, index })));
    return pickNewest(stored.get(id) ?? [])?.doc ?? null;
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const q = parse(SearchQuery, query, 'search query');
    const text = parseSearchQuery(q.q);
    // Without words to rank by, relevance falls back to time.
    const sort = q.sort === 'relevance' && text !== null ? 'relevance' : 'time';
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, sort);
    const aggs: Record<string, estypes.AggregationsAggregationContainer> = {};
    q.facets.forEach((field, i) => { aggs[`f${i}`] = termsAgg(fieldPath(field), q.facetSize); });
    const res = await this.call('searching feedback', () => this.client.search<EsDocument>({
      index: this.names.readAlias,
      query: selectionQuery(text, q.filters),
      sort: sortFor(sort),
      size: q.limit + 1,
      track_total_hits: true,
      _source_excludes: ['facets'],
      ...(after ? { search_after: after } : {}),
      ...(q.facets.length > 0 ? { aggs } : {}),
    }));
    const hits = res.hits.hits;
    const items = hits.slice(0, q.limit).map((h) => fromSource(h._source));
    const last = hits[q.limit - 1];
    const nextCursor = hits.length > q.limit && last?.sort ? encodeCursor(sort, last.sort) : null;
    const facets: Record<string, Bucket[]> = {};
    q.facets.forEach((field, i) => { facets[field] = toBuckets(res.aggregations?.[`f${i}`]); });
    return { total: totalOf(res.hits.total), items, nextCursor, facets };
  }

  async count(selection?: Selection): Promise<number> {
    const s = parse(Selection, selection ?? {}, 'selection');
    const query = selectionQuery(parseSearchQuery(s.q), s.filters);
    const res = await this.call('counting feedback', () => this.client.count({ index: this.names.readAlias, query }));
    return res.count;
  }

  async histogram(query: HistogramQuery): Promise<HistogramBucket[]> {
    const q = parse(HistogramQuery, query, 'histogram query');
    const from = q.filters.from === undefined ? undefined : Date.parse(q.filters.from);
    const to = q.filters.to === undefined ? undefined : Date.parse(q.filters.to);
    const { lo, hi } = boundsOf(q.interval, from, to);
    if (Number.isFinite(lo) && Number.isFinite(hi) && hi - lo + 1 > MAX_BUCKETS) throw tooManyBuckets(hi - lo + 1);
    const sel = selectionQuery(parseSearchQuery(q.q), q.filters);
    const dateHistogram: estypes.AggregationsDateHistogramAggregation = {
      field: 'publishedAt', calendar_interval: CALENDAR_INTERVAL[q.interval], time_zone: 'UTC', min_doc_count: 1,
    };
    const splitPath = q.splitBy === undefined ? undefined : fieldPath(q.splitBy);
    // First the buckets (and, when split, the most frequent values over the whole selection and
    // how many values each bucket holds); then, when split, each bucket's count of those values.
    const first = await this.aggregate('computing a histogram', sel, {
      hist: {
        date_histogram: dateHistogram,
        ...(splitPath ? { aggs: { values: { value_count: { field: splitPath } } } } : {}),
      },
      ...(splitPath ? { top: termsAgg(splitPath, q.splitSize) } : {}),
    });
    const counted = bucketsOf(first.hist).map((b) => ({ start: Number(b.key), count: b.doc_count }));
    let split: SplitCounts | undefined;
    if (splitPath) {
      const names = toBuckets(first.top).map((b) => b.value);
      const valuesPerBucket = new Map(bucketsOf(first.hist).map((b) => [Number(b.key), (b.values as { value: number }).value] as const));
      const perBucket = new Map<number, Map<string, number>>();
      if (names.length > 0) {
        const second = await this.aggregate('computing a histogram', sel, {
          hist: { date_histogram: dateHistogram, aggs: { split: termsAgg(splitPath, names.length, names) } },
        });
        for (const b of bucketsOf(second.hist)) {
          perBucket.set(Number(b.key), new Map(toBuckets(b.split as estypes.AggregationsAggregate).map((s) => [s.value, s.count])));
        }
      }
      split = { names, perBucket, valuesPerBucket };
    }
    return fillHistogram(counted, { interval: q.interval, from, to, split });
  }

  async terms(query: TermsQuery): Promise<Bucket[]> {
    const q = parse(TermsQuery, query, 'terms query');
    const aggs = await this.aggregate('listing top values', selectionQuery(parseSearchQuery(q.q), q.filters), {
      top: termsAgg(fieldPath(q.field), q.size),
    });
    return toBuckets(aggs.top);
  }

  async scoreStats(query: ScoreStatsQuery): Promise<ScoreStats[]> {
    const q = parse(ScoreStatsQuery, query, 'score stats query');
    const sel = selectionQuery(parseSearchQuery(q.q), q.filters, [
      { term: { 'survey.metric': q.metric } }, { exists: { field: 'survey.score' } },
    ]);
    const nps = q.metric === 'nps';
    if (q.groupBy === undefined) {
      const aggs = await this.aggregate('computing score statistics', sel, SCORE_AGGS);
      return [toScoreStats('all', aggs as never, nps)];
    }
    const aggs = await this.aggregate('computing score statistics', sel, {
      groups: { ...termsAgg(fieldPath(q.groupBy), q.size), aggs: SCORE_AGGS },
    });
    return bucketsOf(aggs.groups).map((b) => toScoreStats(String(b.key_as_string ?? b.key), b as never, nps));
  }

  /**
   * One search per CONTACT_CHUNK questions: the author keys narrow the documents, then a `filters`
   * aggregation holds one bucket per question (its key and its own window) with the newest ids in
   * a top_hits. One request and one pass over a few documents; separate searches in a multi-search
   * cost a query and a fetch phase each (about 5 ms apiece on a small node).
   */
  async recentByAuthor(queries: readonly AuthorWindow[], limit: number): Promise<string[][]> {
    const checked = checkAuthorWindows(queries, limit);
    const out: string[][] = [];
    for (let start = 0; start < checked.length; start += CONTACT_CHUNK) {
      const chunk = checked.slice(start, start + CONTACT_CHUNK);
      const iso = (ms: number) => new Date(ms).toISOString();
      const filters = chunk.map((q): Query => ({
        bool: {
          filter: [
            { term: { 'facets.authorKey': q.authorKey } },
            { range: { publishedAt: { gte: iso(q.sinceMs), lte: iso(q.untilMs) } } },
          ],
        },
      }));
      const aggs = await this.aggregate('looking up repeat contact', { terms: { 'facets.authorKey': [...new Set(chunk.map((q) => q.authorKey))] } }, {
        each: {
          filters: { filters },
          aggs: {
            // One more than asked for, in case an id left twice by an interrupted write takes a place.
            newest: { top_hits: { size: Math.min(limit + 1, MAX_CONTACTS_LIMIT), sort: sortFor('time'), _source: false } },
          },
        },
      });
      const buckets = (aggs.each as estypes.AggregationsFiltersAggregate | undefined)?.buckets;
      chunk.forEach((_, i) => {
        const bucket = (Array.isArray(buckets) ? buckets[i] : undefined) as { newest?: estypes.AggregationsTopHitsAggregate } | undefined;
        const hits = bucket?.newest?.hits.hits ?? [];
        out.push([...new Set(hits.map((h) => h._id!))].slice(0, limit));
      });
    }
    return out;
  }

  async patch(id: string, patch: FeedbackPatch, opts: { ifVersion?: number } = {}): Promise<Feedback> {
    for (let attempt = 1; ; attempt++) {
      const stored = pickNewest((await this.lookup([id])).get(id)?.stored ?? []);
      if (!stored) throw new NotFoundError(`feedback ${id}`);
      const current = stored.doc;
      const version = current.version ?? 0;
      if (opts.ifVersion !== undefined && version !== opts.ifVersion) {
        throw new ConflictError(`feedback ${id} is at version ${version}, not ${opts.ifVersion}`);
      }
      const labels = patch.labels === undefined
        ? current.labels
        : parseLabels(mergeLabels(current.labels ? JSON.stringify(current.labels) : null, patch.labels));
      const caseId = patch.caseId === undefined ? (current.caseId ?? null) : patch.caseId;
      const doc = toDocument(current, { labels, caseId, version: version + 1 });
      try {
        await this.client.index({
          index: stored.index, id, document: doc, if_seq_no: stored.seqNo, if_primary_term: stored.primaryTerm,
          refresh: this.refreshFor(this.settings.refresh === true ? true : 'wait_for'),
        });
        return fromSource(doc);
      } catch (err) {
        if (!(err instanceof errors.ResponseError && err.statusCode === 409)) throw translateError(err, this.url, `patching feedback ${id}`);
        // Someone else wrote it since it was read: the version asked for is gone, or read it again.
        if (opts.ifVersion !== undefined) throw new ConflictError(`feedback ${id} changed while it was being patched`);
        if (attempt >= MAX_CONFLICTS) throw new ConflictError(`feedback ${id} kept changing while it was being patched`);
      }
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  /**
   * Rolls the write alias over to a new backing index when one of the conditions holds (by
   * default the configured ones; 'now' rolls over unconditionally). Reads keep covering every
   * backing index, and updates keep going to the index that holds each id.
   */
  async rollover(conditions?: RolloverConditions | 'now'): Promise<RolloverResult> {
    const c = conditions === 'now' ? undefined : (conditions ?? this.settings.rollover);
    const es: estypes.IndicesRolloverRolloverConditions = {};
    if (c?.maxAge) es.max_age = c.maxAge;
    if (c?.maxDocs) es.max_docs = c.maxDocs;
    if (c?.maxPrimaryShardSize) es.max_primary_shard_size = c.maxPrimaryShardSize;
    if (c && Object.keys(es).length === 0) {
      const current = await this.writeIndex();
      return { rolledOver: false, oldIndex: current, newIndex: current };
    }
    const res = await this.call('rolling the write index over', () => this.client.indices.rollover({
      alias: this.names.writeAlias, ...(c ? { conditions: es } : {}),
    }));
    return { rolledOver: res.rolled_over, oldIndex: res.old_index, newIndex: res.new_index };
  }

  /** For the health endpoint: whether the backing indices can serve reads and writes (status green or yellow). */
  async health(): Promise<{ ok: boolean; detail?: string }> {
    try {
      const h = await this.client.cluster.health({ index: this.names.readAlias, timeout: '2s' });
      return h.status === 'red' ? { ok: false, detail: `indices ${this.names.readAlias} are red at ${safeUrl(this.url)}` } : { ok: true };
    } catch (err) {
      return { ok: false, detail: translateError(err, this.url, 'checking health').message };
    }
  }

  /** The backing indices, oldest first. */
  async backingIndices(): Promise<string[]> {
    const res = await this.call('listing backing indices', () => this.client.indices.getAlias({ name: this.names.readAlias }));
    const own = new RegExp(`^${escapeRegExp(this.names.writeAlias)}-\\d{6,}$`, 'u');
    return Object.keys(res).filter((name) => own.test(name)).sort();
  }

  /** Deletes every backing index and the template of this prefix (tests, `reset` tooling). */
  async drop(): Promise<void> {
    const own = new RegExp(`^${escapeRegExp(this.names.writeAlias)}-\\d{6,}$`, 'u');
    const res = await this.call('listing indices to drop', () => this.client.indices.get(
      { index: this.names.pattern, expand_wildcards: 'all', allow_no_indices: true }, { ignore: [404] },
    ));
    const indices = Object.keys(res ?? {}).filter((name) => own.test(name));
    if (indices.length > 0) await this.call('dropping indices', () => this.client.indices.delete({ index: indices }));
    await this.call('dropping the index template', () => this.client.indices.deleteIndexTemplate({ name: this.names.template }, { ignore: [404] }));
  }

  // ——— setup ———

  private async setup(): Promise<void> {
    const { names } = this;
    try {
      await this.client.indices.putIndexTemplate(indexTemplate(names, {
        shards: this.settings.shards, replicas: this.settings.replicas, refreshInterval: this.settings.refreshInterval,
      }));
    } catch (err) {
      const e = translateError(err, this.url, `installing the index template ${names.template}`);
      if (e instanceof TransientError || !(err instanceof errors.ResponseError)) throw e;
      throw new AllearsError('index_template_conflict', `could not install the index template ${names.template} on ${safeUrl(this.url)}: ${reasonOf(err.body).reason}`, { cause: err });
    }
    if (!(await this.call('checking the write alias', () => this.client.indices.existsAlias({ name: names.writeAlias })))) {
      if (await this.call('checking the write alias', () => this.client.indices.exists({ index: names.writeAlias }))) {
        throw new AllearsError('index_mapping_conflict', `${names.writeAlias} on ${safeUrl(this.url)} is an index, not the write alias allears needs; choose another index prefix or remove it`);
      }
      try {
        await this.client.indices.create({ index: names.firstIndex, aliases: { [names.writeAlias]: { is_write_index: true } } });
      } catch (err) {
        const exists = err instanceof errors.ResponseError && reasonOf(err.body).type === 'resource_already_exists_exception';
        // Another process may have created it at the same moment; anything else is a real conflict.
        if (!exists) throw this.setupError(err, `creating ${names.firstIndex}`);
        if (!(await this.client.indices.existsAlias({ name: names.writeAlias }))) {
          throw new AllearsError('index_mapping_conflict', `${names.firstIndex} exists on ${safeUrl(this.url)} without the write alias ${names.writeAlias}; remove it or choose another index prefix`);
        }
      }
    }
    const mappings = await this.call('reading the mappings', () => this.client.indices.getMapping({ index: names.readAlias }));
    for (const [index, { mappings: m }] of Object.entries(mappings)) {
      const version = (m._meta as { allears?: { schemaVersion?: unknown } } | undefined)?.allears?.schemaVersion;
      if (version !== SCHEMA_VERSION) {
        throw new AllearsError('index_mapping_conflict', `index ${index} on ${safeUrl(this.url)} has allears schema version ${String(version)}, this program needs ${SCHEMA_VERSION}; re-index into a new index prefix`);
      }
    }
  }

  private setupError(err: unknown, doing: string): Error {
    const e = translateError(err, this.url, doing);
    if (e instanceof TransientError || !(err instanceof errors.ResponseError)) return e;
    return new AllearsError('index_mapping_conflict', `could not set up ${doing} on ${safeUrl(this.url)}: ${reasonOf(err.body).reason}`, { cause: err });
  }

  private async writeIndex(): Promise<string> {
    const res = await this.call('reading the write alias', () => this.client.indices.getAlias({ name: this.names.writeAlias }));
    const entry = Object.entries(res).find(([, v]) => v.aliases[this.names.writeAlias]?.is_write_index !== false);
    return entry?.[0] ?? this.names.firstIndex;
  }

  // ——— reads ———

  private async call<T>(doing: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw translateError(err, this.url, doing);
    }
  }

  private async aggregate(doing: string, query: Query, aggs: Record<string, estypes.AggregationsAggregationContainer>): Promise<Record<string, estypes.AggregationsAggregate>> {
    const res = await this.call(doing, () => this.client.search({ index: this.names.readAlias, query, size: 0, aggs, track_total_hits: false }));
    return res.aggregations ?? {};
  }

  /** The backing indices holding each id (usually one; more only after an interrupted write of an older version). */
  private async locate(ids: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (ids.length === 0) return out;
    const res = await this.call('looking feedback ids up', () => this.client.search({
      index: this.names.readAlias,
      query: { ids: { values: [...ids] } },
      size: Math.min(ids.length * 2 + 10, 10_000),
      _source: false,
      track_total_hits: false,
    }));
    for (const hit of res.hits.hits) {
      const id = hit._id!;
      const list = out.get(id) ?? [];
      list.push(hit._index);
      out.set(id, list);
    }
    return out;
  }

  /** Realtime reads of ids in known indices, with their concurrency tokens. */
  private async fetch(refs: ReadonlyArray<{ id: string; index: string }>): Promise<Map<string, Stored[]>> {
    const out = new Map<string, Stored[]>();
    if (refs.length === 0) return out;
    const res = await this.call('reading stored feedback', () => this.client.mget<EsDocument>({
      docs: refs.map((r) => ({ _index: r.index, _id: r.id })),
      _source_excludes: ['facets'],
      realtime: true,
    }));
    for (const d of res.docs) {
      if (!('found' in d) || !d.found || d._source === undefined) continue;
      const list = out.get(d._id) ?? [];
      list.push({ index: d._index, seqNo: d._seq_no!, primaryTerm: d._primary_term!, doc: fromSource(d._source) });
      out.set(d._id, list);
    }
    return out;
  }

  /** Every stored copy of each id, read in realtime. */
  private async lookup(ids: readonly string[], knownIn = new Map<string, string>()): Promise<Map<string, { stored: Stored[] }>> {
    const located = await this.locate(ids.filter((id) => !knownIn.has(id)));
    const refs: Array<{ id: string; index: string }> = [];
    for (const id of ids) {
      const known = knownIn.get(id);
      for (const index of known ? [known] : (located.get(id) ?? [])) refs.push({ id, index });
    }
    const fetched = await this.fetch(refs);
    return new Map(ids.map((id) => [id, { stored: fetched.get(id) ?? [] }]));
  }

  // ——— writes ———

  /**
   * Writes one chunk of ids: look up where each is stored, send one bulk request, then go again
   * with only the items that failed: at once for those that lost a race (re-read first), after a
   * growing pause for those the engine was too busy for (429/5xx). Items refused for good are
   * collected with their reason; nothing else is retried.
   */
  private async writeChunk(chunk: Pending[], result: UpsertResult, rejected: RejectedItem[], exhausted: Array<{ p: Pending; reason: string }>): Promise<void> {
    let pending = chunk;
    let round = 0;
    while (pending.length > 0) {
      round++;
      const unknown = pending.filter((p) => p.stored === undefined);
      if (unknown.length > 0) {
        const recheck = new Map(unknown.filter((p) => p.recheckIn).map((p) => [p.id, p.recheckIn!] as const));
        const found = await this.lookup(unknown.map((p) => p.id), recheck);
        for (const p of unknown) {
          const copies = found.get(p.id)?.stored ?? [];
          const newest = pickNewest(copies);
          p.stored = newest ?? null;
          p.strays = copies.filter((c) => c !== newest).map((c) => c.index);
          p.recheckIn = undefined;
        }
      }
      const retry: Pending[] = [];
      let busy = false;
      for (const group of bySize(pending.map((p) => ({ p, doc: this.documentFor(p) })))) {
        const operations: unknown[] = [];
        const slots: Array<{ p: Pending; create: boolean } | null> = [];
        for (const { p, doc } of group) {
          const s = p.stored;
          if (s) operations.push({ index: { _index: s.index, _id: p.id, if_seq_no: s.seqNo, if_primary_term: s.primaryTerm } }, doc);
          else operations.push({ create: { _index: this.names.writeAlias, _id: p.id } }, doc);
          slots.push({ p, create: !s });
          for (const index of p.strays) {
            operations.push({ delete: { _index: index, _id: p.id } });
            slots.push(null);
          }
        }
        let items: Array<Partial<Record<estypes.BulkOperationType, estypes.BulkResponseItem>>>;
        try {
          items = (await this.client.bulk({ operations, refresh: this.refreshFor(this.settings.refresh) })).items;
        } catch (err) {
          const e = translateError(err, this.url, 'writing feedback');
          if (!(e instanceof TransientError)) throw e;
          // The whole request failed: every item of it is retried like a busy item.
          items = slots.map(() => ({ index: { _index: '', status: 503, error: { type: 'unavailable', reason: e.message } } }));
        }
        items.forEach((entry, i) => {
          const slot = slots[i];
          if (!slot) return;
          const { p, create } = slot;
          const r = Object.values(entry)[0]!;
          if (r.status >= 200 && r.status < 300) {
            const k = p.occurrences.length;
            if (create) {
              result.created++;
              result.updated += k - 1;
            } else result.updated += k;
            p.strays = [];
            return;
          }
          const { type, reason } = reasonOf(r);
          if (r.status === 409) {
            // Another writer got there first (or created the id meanwhile): read it again.
            if (++p.conflicts > MAX_CONFLICTS) {
              rejected.push({ id: p.id, index: p.pos, status: 409, type, reason: 'kept changing while it was being written' });
              return;
            }
            if (create && r._index) p.recheckIn = r._index;
            p.stored = undefined;
            retry.push(p);
          } else if (isTransientStatus(r.status)) {
            if (++p.attempts >= this.settings.maxItemAttempts) exhausted.push({ p, reason: `${r.status} ${type}: ${reason}` });
            else {
              busy = true;
              retry.push(p);
            }
          } else {
            rejected.push({ id: p.id, index: p.pos, status: r.status, type, reason });
          }
        });
      }
      pending = retry;
      if (busy && pending.length > 0) await sleep(backoff(this.settings.retryBaseMs, round));
    }
  }

  /** Waiting for a refresh when periodic refresh is off would wait for good: refresh at once instead. */
  private refreshFor(wanted: boolean | 'wait_for'): boolean | 'wait_for' {
    return wanted === 'wait_for' && this.settings.refreshInterval === '-1' ? true : wanted;
  }

  /** The document an upsert writes: the last occurrence, with corrections and case link kept when it carries none. */
  private documentFor(p: Pending): EsDocument {
    const current = p.stored ? p.stored.doc : undefined;
    let labels: Labels | undefined = current?.labels;
    let caseId: string | null = current?.caseId ?? null;
    for (const item of p.occurrences) {
      if (item.labels !== undefined) labels = item.labels;
      if (item.caseId !== undefined) caseId = item.caseId;
    }
    const version = (current?.version ?? 0) + p.occurrences.length;
    return toDocument(p.occurrences[p.occurrences.length - 1]!, { labels, caseId, version });
  }
}

/** The copy to keep when an id is stored more than once: highest version, then newest index. */
function pickNewest(copies: readonly Stored[]): Stored | undefined {
  let best: Stored | undefined;
  for (const c of copies) {
    const v = c.doc.version ?? 0;
    const bv = best?.doc.version ?? 0;
    if (!best || v > bv || (v === bv && c.index > best.index)) best = c;
  }
  return best;
}

/** Groups of documents whose bulk body stays under MAX_BULK_BYTES (a single larger one goes alone). */
function bySize<T extends { doc: EsDocument }>(entries: T[]): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = (e.doc.text.length + (e.doc.title?.length ?? 0)) * 3 + (e.doc.originalText.length * 3) + 2048;
    if (group.length > 0 && bytes + size > MAX_BULK_BYTES) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(e);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

function backoff(baseMs: number, round: number): number {
  const ms = baseMs * 2 ** Math.min(round - 1, 8);
  return ms / 2 + Math.random() * (ms / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function totalOf(total: number | estypes.SearchTotalHits | undefined): number {
  return typeof total === 'number' ? total : (total?.value ?? 0);
}

function parseLabels(json: string | null): Labels | undefined {
  return json === null ? undefined : (JSON.parse(json) as Labels);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError(`invalid ${what}`, zodDetails(r.error.issues));
  return r.data;
}
