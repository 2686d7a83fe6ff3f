import { join } from 'node:path';
import { openDb, type Db } from '../../store/sqlite/db.ts';
import { SqliteFingerprintIndex } from '../../store/sqlite/fingerprint-index.ts';
import { tempDir } from '../helpers/tmp.ts';
import { fingerprintIndexContract } from './fingerprint-index.contract.ts';

fingerprintIndexContract('SQLite', async () => {
  const t = tempDir();
  const file = join(t.dir, 'allears.db');
  const dbs: Db[] = [openDb(file)];
  return {
    index: new SqliteFingerprintIndex(dbs[0]!),
    // Another connection to the same file, as a pipeline worker thread or a restarted process has.
    another: () => {
      const db = openDb(file);
      dbs.push(db);
      return new SqliteFingerprintIndex(db);
    },
    cleanup: async () => {
      for (const db of dbs) db.close();
      t.cleanup();
    },
  };
});
