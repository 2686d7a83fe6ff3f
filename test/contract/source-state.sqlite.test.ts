import { join } from 'node:path';
import { SqliteSourceStateStore } from '../../crawlers/source-state-sqlite.ts';
import { openDb, type Db } from '../../store/sqlite/db.ts';
import { tempDir } from '../helpers/tmp.ts';
import { sourceStateContract } from './source-state.contract.ts';

sourceStateContract('SQLite', async () => {
  const t = tempDir();
  const path = join(t.dir, 'allears.db');
  const dbs: Db[] = [];
  const make = () => {
    const db = openDb(path);
    dbs.push(db);
    return new SqliteSourceStateStore(db);
  };
  return {
    store: make(),
    another: make,
    cleanup: async () => {
      for (const db of dbs) db.close();
      t.cleanup();
    },
  };
});
