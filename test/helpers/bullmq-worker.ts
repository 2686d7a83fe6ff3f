// A worker process on a BullMQ queue, for tests that kill it or restart Redis under it.
// Argument: JSON { url, prefix, queue, out, lockDurationMs?, stalledIntervalMs?, itemDelayMs?, concurrency? }.
// Each job is { items: string[] }; every item is appended to `out` as "<jobId> <item>" once processed
// (a job delivered again appends its items again: readers dedupe), and reported on stdout.
import { appendFileSync } from 'node:fs';
import { BullmqQueue } from '../../pipeline/queue/bullmq.ts';

interface Args {
  url: string;
  prefix: string;
  queue: string;
  out: string;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  itemDelayMs?: number;
  concurrency?: number;
}

const args = JSON.parse(process.argv[2]!) as Args;
const queue = new BullmqQueue({
  url: args.url,
  prefix: args.prefix,
  lockDurationMs: args.lockDurationMs ?? 2000,
  stalledIntervalMs: args.stalledIntervalMs ?? 500,
  retryDelayMs: 200,
  idleBlockSeconds: 0.2,
});
const say = (line: string) => process.stdout.write(`${line}\n`);

const worker = queue.work<{ items: string[] }>(args.queue, async (job) => {
  say(`start ${job.id} attempt ${job.attempt}`);
  for (const [i, item] of job.data.items.entries()) {
    await new Promise((r) => setTimeout(r, args.itemDelayMs ?? 5));
    appendFileSync(args.out, `${job.id} ${item}\n`);
    say(`item ${job.id} ${i}`);
  }
}, {
  concurrency: args.concurrency ?? 1,
  onError: (err) => process.stderr.write(`queue error: ${err.message}\n`),
  onDead: (job, err) => say(`dead ${job.id} ${err.message}`),
});

process.on('SIGTERM', () => {
  void worker.close().then(() => queue.close()).then(() => process.exit(0));
});
say('ready');
