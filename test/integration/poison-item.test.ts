import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import { RawItem, TransientError } from '../../model/index.ts';
import { LocalJobQueue } from '../../pipeline/queue/local.ts';
import { INGEST_QUEUE, PipelineRunner, ingestJobHandler, type IngestJob } from '../../pipeline/runner.ts';
import type { Stage } from '../../pipeline/stage.ts';
import { defaultStages } from '../../pipeline/stages/index.ts';
import { openDb } from '../../store/sqlite/db.ts';
import { SqliteFeedbackIndex } from '../../store/sqlite/feedback-index.ts';
import { SqliteFingerprintIndex } from '../../store/sqlite/fingerprint-index.ts';
import { makeItems } from '../helpers/items.ts';
import { tempDir, waitFor } from '../helpers/tmp.ts';

describe('a poison item in a batch', () => {
  test('goes to the dead letters alone while the rest of its batch is indexed', async () => {
    const t = tempDir();
    const db = openDb(join(t.dir, 'allears.db'));
    const config = loadConfig({ env: {}, overrides: { sources: [] } });
    // A stage that cannot cope with one particular item, as a bug or an odd input would.
    const poison: Stage = {
      name: 'poison',
      run: (batch) => {
        if (batch.some((d) => d.externalId === 'p-3')) throw new Error('cannot handle item p-3');
        return batch;
      },
    };
    const index = new SqliteFeedbackIndex(db);
    const fingerprints = new SqliteFingerprintIndex(db);
    const runner = new PipelineRunner({ config, stages: [...defaultStages(config), poison], fingerprints, index });
    const queue = new LocalJobQueue(db, { pollMs: 10 });
    const items = makeItems(8, { prefix: 'p' });
    await queue.add<IngestJob>(INGEST_QUEUE, { items: items.map((i) => RawItem.parse(i)), receivedAt: new Date().toISOString() }, { maxAttempts: 2, backoffMs: 5 });
    const worker = queue.work<IngestJob>(INGEST_QUEUE, ingestJobHandler(runner, queue, { maxAttempts: 2, backoffMs: 5 }));
    await waitFor(async () => {
      const s = (await queue.stats()).find((q) => q.queue === INGEST_QUEUE)!;
      return s.waiting + s.active + s.delayed === 0 && s.dead === 1;
    }, { what: 'the batch to settle' });
    await worker.close();
    expect(await index.count({ filters: { includeDuplicates: true } })).toBe(7);
    const [dead] = await queue.deadLetters(INGEST_QUEUE);
    expect(dead).toMatchObject({ size: 1 });
    expect(dead!.error).toContain('stage poison failed: cannot handle item p-3');
    db.close();
    t.cleanup();
  });

  test('a passing outage in a stage retries the batch as a whole, losing nothing', async () => {
    const t = tempDir();
    const db = openDb(join(t.dir, 'allears.db'));
    const config = loadConfig({ env: {}, overrides: { sources: [] } });
    let failures = 2;
    const flaky: Stage = {
      name: 'flaky',
      run: (batch) => {
        if (failures-- > 0) throw new TransientError('database is busy');
        return batch;
      },
    };
    const index = new SqliteFeedbackIndex(db);
    const runner = new PipelineRunner({ config, stages: [...defaultStages(config), flaky], fingerprints: new SqliteFingerprintIndex(db), index });
    const queue = new LocalJobQueue(db, { pollMs: 10 });
    const items = makeItems(6, { prefix: 'f' }).map((i) => RawItem.parse(i));
    await queue.add<IngestJob>(INGEST_QUEUE, { items, receivedAt: new Date().toISOString() }, { maxAttempts: 5, backoffMs: 5 });
    const worker = queue.work<IngestJob>(INGEST_QUEUE, ingestJobHandler(runner, queue, { maxAttempts: 5, backoffMs: 5 }));
    await waitFor(async () => (await index.count({ filters: { includeDuplicates: true } })) === 6, { what: 'all items indexed' });
    await worker.close();
    const s = (await queue.stats()).find((q) => q.queue === INGEST_QUEUE)!;
    expect(s).toMatchObject({ waiting: 0, active: 0, delayed: 0, dead: 0 });
    db.close();
    t.cleanup();
  });
});
