import { ValidationError } from '../../model/index.ts';
import type { Fingerprint, FingerprintIndex } from '../ports.ts';
import type { Db } from './db.ts';
import { ensureSchema } from './schema.ts';

/**
 * Both lookups are "earliest item with this key", so each table's primary key is ordered by
 * (key, published_ms, id) and a match is one index seek. The bands an item was stored with are kept
 * on its row so re-adding it with other text drops the old bands.
 */
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

interface Hit {
  id: string;
  published_ms: number;
}

interface Stored {
  exact: string;
  published_ms: number;
  bands: string;
}

function earlier(a: Hit | undefined, b: Hit | undefined): Hit | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.published_ms < b.published_ms || (a.published_ms === b.published_ms && a.id < b.id) ? a : b;
}

export class SqliteFingerprintIndex implements FingerprintIndex {
  private readonly stmts;

  constructor(private readonly db: Db) {
    ensureSchema(db, 'fingerprints', [FINGERPRINT_SCHEMA_V1]);
    this.stmts = {
      byExact: db.prepare<[string, string], Hit>(
        'SELECT id, published_ms FROM fingerprints WHERE exact = ? AND id <> ? ORDER BY published_ms, id LIMIT 1'),
      byBand: db.prepare<[string, string], Hit>(
        'SELECT id, published_ms FROM fingerprint_bands WHERE band = ? AND id <> ? ORDER BY published_ms, id LIMIT 1'),
      stored: db.prepare<[string], Stored>('SELECT exact, published_ms, bands FROM fingerprints WHERE id = ?'),
      put: db.prepare('INSERT OR REPLACE INTO fingerprints (id, exact, published_ms, bands) VALUES (?, ?, ?, ?)'),
      putBand: db.prepare('INSERT OR IGNORE INTO fingerprint_bands (band, published_ms, id) VALUES (?, ?, ?)'),
      dropBand: db.prepare('DELETE FROM fingerprint_bands WHERE band = ? AND published_ms = ? AND id = ?'),
    };
  }

  async match(probes: readonly Fingerprint[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const { byExact, byBand } = this.stmts;
    this.db.transaction(() => {
      for (const p of probes) {
        // Never the item itself: re-processing an item must not make it a duplicate of itself.
        let best = byExact.get(p.exact, p.id);
        for (const band of new Set(p.bands)) best = earlier(best, byBand.get(band, p.id));
        // Only an earlier item can be the original: otherwise re-processing an original after its
        // copies were indexed would make it a copy of its own copy.
        const self = { id: p.id, published_ms: Date.parse(p.publishedAt) };
        if (best && earlier(best, self) === best) found.set(p.id, best.id);
      }
    })();
    return found;
  }

  async add(fingerprints: readonly Fingerprint[]): Promise<void> {
    const s = this.stmts;
    const bad = fingerprints.flatMap((f, index) =>
      Number.isFinite(Date.parse(f.publishedAt)) ? [] : [{ path: `fingerprints[${index}].publishedAt`, message: 'must be an ISO 8601 date-time', index }]);
    if (bad.length > 0) throw new ValidationError('invalid fingerprints; nothing was stored', bad);
    this.db.transaction(() => {
      for (const f of fingerprints) {
        const ms = Date.parse(f.publishedAt);
        const bands = [...new Set(f.bands)].sort();
        const old = s.stored.get(f.id);
        const oldBands = old ? (JSON.parse(old.bands) as string[]) : [];
        if (old) {
          const keep = old.published_ms === ms ? new Set(bands) : new Set<string>();
          for (const band of oldBands) if (!keep.has(band)) s.dropBand.run(band, old.published_ms, f.id);
        }
        s.put.run(f.id, f.exact, ms, JSON.stringify(bands));
        for (const band of bands) s.putBand.run(band, ms, f.id);
      }
    }).immediate();
  }
}
