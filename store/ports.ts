import type {
  Bucket, Feedback, HistogramBucket, HistogramQuery, Labels, ScoreStats, ScoreStatsQuery,
  SearchQuery, Selection, TermsQuery,
} from '../model/index.ts';

export interface UpsertResult {
  created: number;
  updated: number;
}

export interface SearchResult {
  /** Exact number of matches for the query and filters. */
  total: number;
  items: Feedback[];
  /** Opaque; pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** One list per requested facet field, most frequent first. Counts cover all matches, not the page. */
  facets: Record<string, Bucket[]>;
}

export interface FeedbackPatch {
  /** Merged over the labels already there; `null` for a key removes that correction. */
  labels?: Labels;
  caseId?: string | null;
}

/** One repeat-contact question: items with this author key (model/author-key.ts) published within [since, until]. */
export interface AuthorWindow {
  authorKey: string;
  /** Inclusive ISO 8601 bounds on publishedAt. */
  since: string;
  until: string;
}

/**
 * The searchable index of all feedback. Operations the system needs and nothing more: no
 * arbitrary queries, no deletes by query, no schema changes at run time (left to migrations).
 * Writes are idempotent: upserting the same id again replaces it in place.
 */
export interface FeedbackIndex {
  upsert(items: readonly Feedback[]): Promise<UpsertResult>;
  get(id: string): Promise<Feedback | null>;
  /** Throws QuerySyntaxError (400) for a query the engine cannot parse, ValidationError for bad fields. */
  search(query: SearchQuery): Promise<SearchResult>;
  count(selection?: Selection): Promise<number>;
  histogram(query: HistogramQuery): Promise<HistogramBucket[]>;
  terms(query: TermsQuery): Promise<Bucket[]>;
  scoreStats(query: ScoreStatsQuery): Promise<ScoreStats[]>;
  /**
   * Repeat contact: per query, ids of stored items with that author key published within
   * [since, until], at most `limit` each (newest first). Duplicates count: a repost is a contact too.
   */
  recentByAuthor(queries: readonly AuthorWindow[], limit: number): Promise<string[][]>;
  /** Partial update; with `ifVersion`, throws ConflictError when the stored version differs. NotFoundError for an unknown id. */
  patch(id: string, patch: FeedbackPatch, opts?: { ifVersion?: number }): Promise<Feedback>;
  close(): Promise<void>;
}

/** What the dedupe stage remembers of each item: its exact content hash and near-duplicate band keys. */
export interface Fingerprint {
  id: string;
  exact: string;
  bands: readonly string[];
  publishedAt: string;
}

/**
 * Memory of fingerprints for duplicate detection across batches. Deliberately left out: listing or
 * deleting fingerprints (they age with the feedback they belong to).
 */
export interface FingerprintIndex {
  /**
   * For each probe, the id of the earliest other item with the same exact hash or sharing a band
   * key, provided it comes before the probe in (publishedAt, id) order; an item is never a
   * duplicate of a later one, nor of itself.
   */
  match(probes: readonly Fingerprint[]): Promise<Map<string, string>>;
  add(fingerprints: readonly Fingerprint[]): Promise<void>;
}
