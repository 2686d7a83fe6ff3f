import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from './store/sqlite/db.ts';
import { ensureIndexSchema } from './store/sqlite/schema.ts';
import { prepareStatements } from './store/sqlite/statements.ts';
import { segmentForIndex } from './store/sqlite/segment.ts';
import { storedFields, splitDoc, textHash } from './store/sqlite/doc-row.ts';
const mod = await import('./bench/gen-tmp.ts');
const db = openDb(join(mkdtempSync(join(process.env.DIR ?? tmpdir(), 'p-')), 'x.db'));
ensureIndexSchema(db); if (process.env.CKPT) db.pragma("wal_autocheckpoint = " + process.env.CKPT); if (process.env.AM) db.exec(`INSERT INTO feedback_fts(feedback_fts, rank) VALUES ('automerge', ${process.env.AM})`); if (process.env.NODOC) s.putDoc.run = (() => ({})) as never;
const s = prepareStatements(db);
const times: Record<string, number> = { prep: 0, lookup: 0, insert: 0, doc: 0, fts: 0, commit: 0 };
let seq = 0;
const N = 100000;
for (let i = 0; i < N; i += 2000) {
  const items = Array.from({ length: 2000 }, (_, k) => mod.makeItem(i + k));
  let t = performance.now();
  const prepared = items.map((it) => ({ it, fields: storedFields(it, Date.parse(it.publishedAt)), doc: JSON.stringify(splitDoc(it)), seg: segmentForIndex(it.text), title: segmentForIndex(it.title ?? ''), hash: textHash(it) }));
  times.prep! += performance.now() - t;
  db.exec('BEGIN IMMEDIATE');
  for (const p of prepared) {
    let t = performance.now();
    s.lookup.get(p.it.id);
    times.lookup! += performance.now() - t; t = performance.now();
    const rid = Number(s.insert.run(p.it.id, ++seq, 1, ...p.fields, null, null, p.hash).lastInsertRowid);
    times.insert! += performance.now() - t; t = performance.now();
    s.putDoc.run(rid, p.doc);
    times.doc! += performance.now() - t; t = performance.now();
    if (!process.env.NOFTS) s.addText.run(rid, p.title.body, p.seg.body, p.seg.sub);
    times.fts! += performance.now() - t;
  }
  t = performance.now();
  db.exec('COMMIT');
  times.commit! += performance.now() - t;
}
const total = Object.values(times).reduce((a, b) => a + b, 0);
console.log(Object.fromEntries(Object.entries(times).map(([k, v]) => [k, (v * 1000 / N).toFixed(1) + 'µs'])), 'rate', (N / total * 1000).toFixed(0));
