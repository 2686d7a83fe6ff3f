import type { Fingerprint, FingerprintIndex } from '../ports.ts';
import type { Db } from './db.ts';
import { before, checkFingerprints, keysOf, originalOf } from '../fingerprint-keys.ts';
import { ensureSchema } from './schema.ts';

const FINGERPRINT_SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS fingerprints (
  id TEXT PRIMARY KEY,
  exact TEXT NOT NULL,
  published_ms INTEGER NOT NULL,
  bands TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fingerprints_exact ON fingerprints (exact, published_ms, id);
CREATE TABLE IF NOT EXISTS fingerprint_bands (
  band TEXT NOT NULL,
  published_ms INTEGER NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (band, published_ms, id)
) WITHOUT ROWID;
`;

/**
 * Version 2: an append-only log of each item's keys. Version 1 inserted about 21 random keys per
 * item into B-trees, which dirtied most of their pages at every commit (≈ 220 µs per item, the
 * largest cost of the whole pipeline); appending to a log is sequential and cheap, and the lookups
 * run on an in-memory table rebuilt from the log.
 */
const FINGERPRINT_SCHEMA_V2 = (db: Db): void => {
  db.exec(`
    CREATE TABLE IF NOT EXISTS fp_log (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, published_ms INTEGER NOT NULL, keys TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS fp_log_published ON fp_log (published_ms);
  `);
  const old = db.prepare('SELECT id, exact, published_ms, bands FROM fingerprints ORDER BY published_ms').all() as
    { id: string; exact: string; published_ms: number; bands: string }[];
  appendLog(db, old.map((r) => ({ id: r.id, ms: r.published_ms, keys: keysOf(r.exact, JSON.parse(r.bands) as string[]) })));
  db.exec('DROP TABLE fingerprints; DROP TABLE fingerprint_bands;');
};


interface Holder {
  id: string;
  ms: number;
  keys: number[];
}


function appendLog(db: Db, entries: readonly Holder[]): number {
  if (!entries.length) return 0;
  const r = db.prepare(`INSERT INTO fp_log (id, published_ms, keys) SELECT value->>0, value->>1, value->>2 FROM json_each(?)`)
    .run(JSON.stringify(entries.map((e) => [e.id, e.ms, JSON.stringify(e.keys)])));
  return Number(r.lastInsertRowid);
}

export interface FingerprintIndexOptions {
  /** Items published this long before the newest one are forgotten: reposts and campaigns are recent. */
  windowMs?: number;
  /** At most this many items are remembered; the oldest go first. Bounds memory (about 1 KB per item). */
  maxItems?: number;
}

const DAY = 86_400_000;

/**
 * Duplicate memory for the embedded mode. For each key it holds the earliest item that has it
 * (all a match needs); the log makes it durable, and a connection catches up with what others
 * appended (pipeline worker threads) before each read and write, as the feedback index does.
 * Deliberately bounded: items older than the window (by publishedAt, relative to the newest item
 * seen, so imports of history work) are forgotten, in memory and in the log.
 */
export class SqliteFingerprintIndex implements FingerprintIndex {
  private readonly holders = new Map<number, Holder>();
  private readonly items = new Map<string, Holder>();
  private readonly windowMs: number;
  private readonly maxItems: number;
  private readonly stmts;
  private lastSeq = 0;
  private dataVersion: number;
  private newestMs = -Infinity;
  private appliedSincePrune = 0;

  constructor(private readonly db: Db, opts: FingerprintIndexOptions = {}) {
    this.windowMs = opts.windowMs ?? 90 * DAY;
    this.maxItems = opts.maxItems ?? 300_000;
    ensureSchema(db, 'fingerprints', [FINGERPRINT_SCHEMA_V1, FINGERPRINT_SCHEMA_V2]);
    this.stmts = {
      since: db.prepare<[number], { seq: number; id: string; published_ms: number; keys: string }>(
        'SELECT seq, id, published_ms, keys FROM fp_log WHERE seq > ? ORDER BY seq'),
      recent: db.prepare<[number], { seq: number; id: string; published_ms: number; keys: string }>(
        'SELECT seq, id, published_ms, keys FROM fp_log WHERE published_ms >= ? ORDER BY seq'),
      newest: db.prepare<[], number | null>('SELECT max(published_ms) FROM fp_log').pluck(),
      maxSeq: db.prepare<[], number | null>('SELECT max(seq) FROM fp_log').pluck(),
      // Never the newest row: its seq would be handed out again, and other connections that
      // already read past it would miss the entry that reuses it.
      prune: db.prepare<[number]>('DELETE FROM fp_log WHERE published_ms < ? AND seq < (SELECT max(seq) FROM fp_log)'),
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    };
    this.dataVersion = this.stmts.dataVersion.get()!;
    const newest = this.stmts.newest.get();
    if (newest != null) {
      for (const r of this.stmts.recent.iterate(newest - this.windowMs)) this.apply(r.id, r.published_ms, JSON.parse(r.keys) as number[]);
      this.lastSeq = this.stmts.maxSeq.get() ?? 0;
      this.prune();
    }
  }

  async match(probes: readonly Fingerprint[]): Promise<Map<string, string>> {
    this.refresh();
    const found = new Map<string, string>();
    for (const p of probes) {
      const original = originalOf(p, keysOf(p.exact, p.bands), (k) => this.holders.get(k));
      if (original) found.set(p.id, original);
    }
    return found;
  }

  async add(fingerprints: readonly Fingerprint[]): Promise<void> {
    checkFingerprints(fingerprints);
    const entries = fingerprints.map((f) => ({ id: f.id, ms: Date.parse(f.publishedAt), keys: keysOf(f.exact, f.bands) }));
    // Holding the write lock, catch up with other connections first, so the log is applied in order.
    this.db.transaction(() => {
      this.refresh();
      const last = appendLog(this.db, entries);
      if (last) this.lastSeq = last;
    }).immediate();
    for (const e of entries) this.apply(e.id, e.ms, e.keys);
    // Pruning rescans the remembered items when a key lost its holder: keep it occasional.
    if (this.appliedSincePrune > 50_000 || this.items.size > this.maxItems * 1.05) this.prune();
  }

  private refresh(): void {
    const version = this.stmts.dataVersion.get()!;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    for (const r of this.stmts.since.iterate(this.lastSeq)) {
      this.apply(r.id, r.published_ms, JSON.parse(r.keys) as number[]);
      this.lastSeq = r.seq;
    }
  }

  private apply(id: string, ms: number, keys: number[]): void {
    this.forget(id);
    const h: Holder = { id, ms, keys };
    this.items.set(id, h);
    for (const k of keys) {
      const cur = this.holders.get(k);
      if (!cur || before(ms, id, cur.ms, cur.id)) this.holders.set(k, h);
    }
    if (ms > this.newestMs) this.newestMs = ms;
    this.appliedSincePrune++;
  }

  /** An item re-added (edited text, another date) lets go of the keys it held; `lost` collects them. */
  private forget(id: string, lost?: Set<number>): void {
    const prev = this.items.get(id);
    if (!prev) return;
    for (const k of prev.keys) {
      if (this.holders.get(k) !== prev) continue;
      this.holders.delete(k);
      lost?.add(k);
    }
    this.items.delete(id);
  }

  /** Drop what fell out of the window or over the item cap, in memory and in the log. */
  private prune(): void {
    this.appliedSincePrune = 0;
    let cutoff = this.newestMs - this.windowMs;
    if (this.items.size > this.maxItems) {
      const times = [...this.items.values()].map((h) => h.ms).sort((a, b) => a - b);
      cutoff = Math.max(cutoff, times[this.items.size - this.maxItems]!);
    }
    const lost = new Set<number>();
    for (const h of [...this.items.values()]) if (h.ms < cutoff) this.forget(h.id, lost);
    // A key whose holder was forgotten passes to the earliest remaining item that has it, so the
    // answer does not depend on how long the process has run (a restart would rebuild it so).
    if (lost.size) {
      for (const h of this.items.values()) {
        for (const k of h.keys) {
          if (!lost.has(k)) continue;
          const cur = this.holders.get(k);
          if (!cur || before(h.ms, h.id, cur.ms, cur.id)) this.holders.set(k, h);
        }
      }
    }
    if (Number.isFinite(cutoff)) this.stmts.prune.run(cutoff);
  }
}
