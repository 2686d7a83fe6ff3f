import { join } from 'node:path';
import { MemoryCheckpointStore } from '../../crawlers/checkpoint.ts';
import { SqliteCheckpointStore } from '../../crawlers/checkpoint-sqlite.ts';
import { openDb, type Db } from '../../store/sqlite/db.ts';
import { tempDir } from '../helpers/tmp.ts';
import { checkpointStoreContract } from './checkpoint-store.contract.ts';

checkpointStoreContract('memory', async () => ({ store: new MemoryCheckpointStore(), another: null, cleanup: async () => undefined }));

checkpointStoreContract('SQLite', async () => {
  const t = tempDir();
  const file = join(t.dir, 'allears.db');
  const dbs: Db[] = [openDb(file)];
  return {
    store: new SqliteCheckpointStore(dbs[0]!),
    another: () => {
      const db = openDb(file);
      dbs.push(db);
      return new SqliteCheckpointStore(db);
    },
    cleanup: async () => {
      for (const db of dbs) db.close();
      t.cleanup();
    },
  };
});
