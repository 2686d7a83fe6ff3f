import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from './store/sqlite/db.ts';
import { SqliteFeedbackIndex } from './store/sqlite/feedback-index.ts';
const mod = await import('./bench/gen-tmp.ts');
const db = openDb(join(mkdtempSync(join(tmpdir(), 'p-')), 'x.db'));
if (process.env.CKPT) db.pragma('wal_autocheckpoint = ' + process.env.CKPT); if (process.env.SYNC) db.pragma('synchronous = ' + process.env.SYNC);
const idx = new SqliteFeedbackIndex(db);
let total = 0;
for (let i = 0; i < 100000; i += 2000) {
  const items = Array.from({ length: 2000 }, (_, k) => mod.makeItem(i + k));
  const t0 = performance.now();
  await idx.upsert(items);
  const dt = performance.now() - t0; total += dt;
  if (i % 20000 === 0) console.log(i, (2000 / dt * 1000).toFixed(0), '/s');
}
console.log('avg', (100000 / total * 1000).toFixed(0));
