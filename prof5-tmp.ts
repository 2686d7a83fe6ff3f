import Database from 'better-sqlite3';
const db = new Database(process.argv[2]!);
db.pragma('cache_size = -65536');
const q = process.argv[3] ?? '"快递"';
const time = (name: string, fn: () => unknown) => { fn(); const t = performance.now(); const r = fn(); console.log(name.padEnd(30), (performance.now() - t).toFixed(1), 'ms', typeof r === 'number' ? r : ''); };
time('pluck all', () => db.prepare('SELECT rowid FROM feedback_fts WHERE feedback_fts MATCH ?').pluck().all(q).length);
time('raw all', () => db.prepare('SELECT rowid FROM feedback_fts WHERE feedback_fts MATCH ?').raw().all(q).length);
time('count(*)', () => db.prepare('SELECT count(*) FROM feedback_fts WHERE feedback_fts MATCH ?').pluck().get(q));
time('group_concat', () => {
  const s = db.prepare('SELECT group_concat(rowid) FROM feedback_fts WHERE feedback_fts MATCH ?').pluck().get(q) as string;
  const out = new Int32Array(s.length / 2 + 1); let n = 0, v = 0;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c === 44) { out[n++] = v; v = 0; } else v = v * 10 + c - 48; }
  out[n++] = v; return n;
});
time('bm25 all', () => db.prepare('SELECT rowid, bm25(feedback_fts, 2.0, 1.0, 0.5) FROM feedback_fts WHERE feedback_fts MATCH ?').raw().all(q).length);
time('order by rank limit 20', () => db.prepare('SELECT rowid FROM feedback_fts WHERE feedback_fts MATCH ? ORDER BY rank LIMIT 20').raw().all(q).length);
const keep = new Uint8Array(2_000_000); for (let i = 0; i < keep.length; i += 4) keep[i] = 1;
db.function('keep', { deterministic: true }, (r: number) => keep[r]!);
time('keep() filter only', () => db.prepare('SELECT rowid FROM feedback_fts WHERE feedback_fts MATCH ? AND keep(rowid)').raw().all(q).length);
time('keep() + bm25', () => db.prepare('SELECT rowid, bm25(feedback_fts, 2.0, 1.0, 0.5) FROM feedback_fts WHERE feedback_fts MATCH ? AND keep(rowid)').raw().all(q).length);
console.log(db.prepare("SELECT count(*) FROM feedback_fts_data").pluck().get(), 'fts data rows');
