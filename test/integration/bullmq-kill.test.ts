import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { BullmqQueue } from '../../pipeline/queue/bullmq.ts';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../helpers/redis.ts';
import { ROOT } from '../helpers/server.ts';
import { tempDir, waitFor } from '../helpers/tmp.ts';

const QUEUE = 'ingest';
const PREFIX = 'allears-it';
const available = redisServerAvailable('the BullMQ worker-death and Redis-restart tests');

interface WorkerProc {
  child: ChildProcess;
  out: string;
  /** Lines the worker printed so far. */
  lines: () => string[];
  /** What it reported on stderr (queue errors). */
  errors: () => string;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function startWorker(url: string, out: string, extra: Record<string, unknown> = {}): Promise<WorkerProc> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/bullmq-worker.ts'),
    JSON.stringify({ url, prefix: PREFIX, queue: QUEUE, out, ...extra })], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let errText = '';
  child.stdout!.on('data', (d) => { text += d; });
  child.stderr!.on('data', (d) => { errText += d; });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const proc: WorkerProc = { child, out, lines: () => text.split('\n').filter(Boolean), errors: () => errText };
  return waitFor(() => {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}: ${errText}`);
    return proc.lines().includes('ready') && proc;
  }, { timeoutMs: 30_000, what: 'the worker process to start' });
}

/** "<jobId> <item>" lines of every worker's file, as a set of items. */
function processed(files: string[]): Set<string> {
  const items = new Set<string>();
  for (const f of files) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) if (line) items.add(line.split(' ')[1]!);
  }
  return items;
}

/** How often each item was processed, over every worker's file. */
function deliveries(files: string[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const f of files) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) if (line) n.set(line.split(' ')[1]!, (n.get(line.split(' ')[1]!) ?? 0) + 1);
  }
  return n;
}

async function settled(queue: BullmqQueue): Promise<{ waiting: number; active: number; delayed: number; dead: number }> {
  return (await queue.stats()).find((s) => s.queue === QUEUE) ?? { waiting: 0, active: 0, delayed: 0, dead: 0 };
}

async function ownRedis(persistent: boolean): Promise<{ redis: RedisServer; dir: string }> {
  const t = tempDir('allears-redis-');
  const redis = await startRedisServer(persistent ? { dir: t.dir } : {});
  cleanups.push(() => t.cleanup());
  cleanups.push(() => redis.shutdown());
  return { redis, dir: t.dir };
}

describe.skipIf(!available)('BullMQ queue across worker processes', () => {
  test('a worker process killed mid-batch loses nothing: its job is delivered again to the other one', async () => {
    const { redis, dir } = await ownRedis(false);
    const producer = new BullmqQueue({ url: redis.url, prefix: PREFIX });
    cleanups.push(() => producer.close());
    const jobs = Array.from({ length: 12 }, (_, j) => ({ items: Array.from({ length: 10 }, (_, i) => `j${j}-i${i}`) }));
    await producer.addBulk(QUEUE, jobs);
    const all = jobs.flatMap((j) => j.items);

    const opts = { lockDurationMs: 1000, stalledIntervalMs: 300, itemDelayMs: 50 };
    const a = await startWorker(redis.url, join(dir, 'a.txt'), opts);
    const b = await startWorker(redis.url, join(dir, 'b.txt'), opts);
    // Kill A half-way through a batch: some of its items are done, the job is not.
    const victim = await waitFor(() => {
      const lines = a.lines();
      const current = lines.filter((l) => l.startsWith('start ')).at(-1)?.split(' ')[1];
      return current !== undefined && lines.includes(`item ${current} 4`) && current;
    }, { timeoutMs: 30_000, what: 'worker A to be half-way through a job' });
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));

    const files = [a.out, b.out];
    await waitFor(() => processed(files).size === all.length, { timeoutMs: 60_000, what: 'every item to be processed' });
    await waitFor(async () => {
      const s = await settled(producer);
      return s.waiting + s.active + s.delayed === 0;
    }, { timeoutMs: 30_000, what: 'the queue to drain' });
    expect([...processed(files)].sort()).toEqual([...all].sort());
    expect((await settled(producer)).dead).toBe(0);
    expect(await producer.deadLetters(QUEUE)).toEqual([]);
    // The killed job went to B whole, on its second delivery.
    expect(b.lines()).toContain(`start ${victim} attempt 2`);
    // What A had done of it was done again: at-least-once, made harmless by idempotent processing.
    const doneByA = readFileSync(a.out, 'utf8').split('\n').filter((l) => l.startsWith(`${victim} `)).map((l) => l.split(' ')[1]!);
    expect(doneByA.length).toBeGreaterThanOrEqual(5);
    for (const item of doneByA) expect(deliveries(files).get(item)).toBe(2);
  }, 120_000);

  test('a Redis restart loses no acknowledged job, and the worker carries on without a restart', async () => {
    const { redis, dir } = await ownRedis(true);
    const producer = new BullmqQueue({ url: redis.url, prefix: PREFIX });
    cleanups.push(() => producer.close());
    const w = await startWorker(redis.url, join(dir, 'w.txt'), { lockDurationMs: 10_000, stalledIntervalMs: 1000, itemDelayMs: 5 });

    const acknowledged: string[] = [];
    let n = 0;
    const addOne = async (): Promise<void> => {
      const items = Array.from({ length: 5 }, (_, i) => `b${n}-i${i}`);
      n++;
      try {
        await producer.add(QUEUE, { items }, { backoffMs: 50 });
        acknowledged.push(...items);
      } catch {
        // Refused while Redis is down: not acknowledged, so the caller keeps the items.
      }
    };
    let producing = true;
    const production = (async () => {
      while (producing) {
        await addOne();
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    await waitFor(() => processed([w.out]).size >= 50, { timeoutMs: 30_000, what: 'the worker to get going' });
    await redis.shutdown();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    const countAtRestart = acknowledged.length;
    await waitFor(() => acknowledged.length >= countAtRestart + 50, { timeoutMs: 30_000, what: 'adds to succeed again' });
    producing = false;
    await production;

    await waitFor(() => acknowledged.every((i) => processed([w.out]).has(i)), { timeoutMs: 60_000, what: 'every acknowledged item to be processed' });
    expect(w.child.exitCode).toBeNull();
    // It did live through the outage: it saw the connection go.
    expect(w.errors()).toMatch(/queue error/);
    // Jobs added after the restart were processed by the same process.
    expect(processed([w.out]).has(acknowledged.at(-1)!)).toBe(true);
    await waitFor(async () => {
      const s = await settled(producer);
      return s.waiting + s.active + s.delayed === 0;
    }, { timeoutMs: 30_000, what: 'the queue to drain' });
    expect((await settled(producer)).dead).toBe(0);
  }, 120_000);
});
