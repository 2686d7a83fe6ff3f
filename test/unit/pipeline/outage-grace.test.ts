import { describe, expect, test } from 'vitest';
import { TransientError, ValidationError } from '../../../model/index.ts';
import { ingestJobHandler, type IngestJob, type PipelineRunner } from '../../../pipeline/runner.ts';
import type { Job, JobQueue } from '../../../pipeline/queue/port.ts';

/** A runner whose store fails with the given errors first, then works. */
function flakyRunner(failures: Error[]) {
  let calls = 0;
  const runner = {
    async processAndStore() {
      calls++;
      const err = failures.shift();
      if (err) throw err;
      return { created: 1, updated: 0 };
    },
  } as unknown as PipelineRunner;
  return { runner, calls: () => calls };
}

const requeued: unknown[] = [];
const queue = { addBulk: async (_q: string, data: unknown[]) => { requeued.push(...data); return []; } } as unknown as JobQueue;
const job = (n = 2): Job<IngestJob> => ({
  id: 'j1', queue: 'ingest', attempt: 1, maxAttempts: 5, enqueuedAt: new Date().toISOString(),
  data: { receivedAt: new Date().toISOString(), items: Array.from({ length: n }, (_, i) => ({ externalId: `x${i}` })) as never },
});

describe('ingest handler during an outage', () => {
  test('holds the batch and tries again while the index is unreachable, within the grace time', async () => {
    const { runner, calls } = flakyRunner([new TransientError('Elasticsearch unreachable at http://es:9200')]);
    const waits: number[] = [];
    await ingestJobHandler(runner, queue, { outageGraceMs: 60_000, onOutage: (_e, ms) => waits.push(ms) })(job());
    expect(calls()).toBe(2);
    expect(waits).toEqual([1000]);
  });

  test('without grace the failure goes straight back to the queue, as a retryable error', async () => {
    const { runner, calls } = flakyRunner([new TransientError('Redis unreachable')]);
    await expect(ingestJobHandler(runner, queue)(job())).rejects.toThrow('Redis unreachable');
    expect(calls()).toBe(1);
  });

  test('a stopping worker stops waiting at once and hands the batch back', async () => {
    const { runner, calls } = flakyRunner([new TransientError('down'), new TransientError('down')]);
    const stopping = new AbortController();
    const run = ingestJobHandler(runner, queue, { outageGraceMs: 600_000, signal: stopping.signal })(job());
    setTimeout(() => stopping.abort(), 50);
    // Left to wait, the third call would succeed; stopped, the batch goes back with the error.
    await expect(run).rejects.toThrow('down');
    expect(calls()).toBe(2);
  });

  test('a permanent failure is not waited on: the batch is split into single-item jobs', async () => {
    requeued.length = 0;
    const { runner, calls } = flakyRunner([new ValidationError('items[1].text: bad')]);
    await ingestJobHandler(runner, queue, { outageGraceMs: 60_000 })(job(3));
    expect(calls()).toBe(1);
    expect(requeued).toHaveLength(3);
  });
});
