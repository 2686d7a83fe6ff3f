// Takes one job from the queue in the given SQLite file and never finishes it (a test kills us).
import { LocalJobQueue } from '../../pipeline/queue/local.ts';
import { openDb } from '../../store/sqlite/db.ts';

const queue = new LocalJobQueue(openDb(process.argv[2]!), { pollMs: 10 });
queue.work('ingest', () => {
  process.stdout.write('claimed\n');
  return new Promise<void>(() => undefined);
});
