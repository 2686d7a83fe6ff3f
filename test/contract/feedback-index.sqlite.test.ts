import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../store/sqlite/db.ts';
import { SqliteFeedbackIndex } from '../../store/sqlite/feedback-index.ts';
import { feedbackIndexContract } from './feedback-index.contract.ts';

feedbackIndexContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'allears-index-'));
  const db = openDb(join(dir, 'allears.db'));
  return {
    index: new SqliteFeedbackIndex(db),
    cleanup: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
