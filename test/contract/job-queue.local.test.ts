import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LocalJobQueue } from '../../pipeline/queue/local.ts';
import { openDb } from '../../store/sqlite/db.ts';
import { ROOT } from '../helpers/server.ts';
import { tempDir, waitFor } from '../helpers/tmp.ts';
import { jobQueueContract } from './job-queue.contract.ts';

jobQueueContract('embedded jobs table', async () => {
  const t = tempDir();
  const db = openDb(join(t.dir, 'q.db'));
  return { queue: new LocalJobQueue(db, { pollMs: 10 }), cleanup: async () => { db.close(); t.cleanup(); } };
});

/** A separate process takes a job from the file and is killed with SIGKILL before it finishes. */
async function killWhileHolding(file: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/claim-and-hang.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.on('data', (d) => { if (String(d).includes('claimed')) resolve(); }));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

describe('LocalJobQueue durability', () => {
  test('keeps waiting jobs across a restart of the process', async () => {
    const t = tempDir();
    const file = join(t.dir, 'q.db');
    const db1 = openDb(file);
    await new LocalJobQueue(db1).addBulk('ingest', [{ a: 1 }, { a: 2 }]);
    db1.close();

    const db2 = openDb(file);
    const q2 = new LocalJobQueue(db2, { pollMs: 10 });
    const seen: number[] = [];
    const w = q2.work<{ a: number }>('ingest', async (j) => { seen.push(j.data.a); });
    await waitFor(() => seen.length === 2);
    await w.close();
    db2.close();
    t.cleanup();
    expect(seen.sort()).toEqual([1, 2]);
  });

  test('delivers again a job whose worker process was killed while holding it', async () => {
    const t = tempDir();
    const file = join(t.dir, 'q.db');
    const db1 = openDb(file);
    await new LocalJobQueue(db1).add('ingest', { a: 1 });
    db1.close();
    await killWhileHolding(file);

    const db2 = openDb(file);
    const q2 = new LocalJobQueue(db2, { pollMs: 10 });
    const attempts: number[] = [];
    const w2 = q2.work('ingest', async (j) => { attempts.push(j.attempt); });
    await waitFor(() => attempts.length === 1);
    await w2.close();
    expect(attempts).toEqual([2]);
    db2.close();
    t.cleanup();
  });

  test('buries a job whose worker died on its last attempt instead of delivering it forever', async () => {
    const t = tempDir();
    const file = join(t.dir, 'q.db');
    const db1 = openDb(file);
    const id = await new LocalJobQueue(db1).add('ingest', { a: 1 }, { maxAttempts: 1 });
    db1.close();
    await killWhileHolding(file);

    const db2 = openDb(file);
    const q2 = new LocalJobQueue(db2, { pollMs: 10 });
    const delivered: number[] = [];
    const w2 = q2.work('ingest', async (j) => { delivered.push(j.attempt); });
    await new Promise((r) => setTimeout(r, 100));
    await w2.close();
    expect(delivered).toEqual([]);
    const [dead] = await q2.deadLetters('ingest');
    expect(dead).toMatchObject({ id, attempts: 1 });
    expect(dead!.error).toContain('worker died');
    db2.close();
    t.cleanup();
  });
});
