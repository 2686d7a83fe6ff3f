// A pipeline worker thread: its own connection to the same SQLite file, its own queue consumer.
// The main thread tells it when to stop and asks it for its metrics.
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../config/logger.ts';
import type { Config } from '../config/schema.ts';
import { openRuntime, startWorker } from './runtime.ts';
import type { FromThread, ToThread } from './threads.ts';


const { config } = workerData as { config: Config };
const port = parentPort!;
const rt = await openRuntime(config, createLogger(config.deployment.logLevel).child({ thread: 'pipeline' }), { inThread: true });
const worker = startWorker(rt);
const send = (m: FromThread) => port.postMessage(m);

port.on('message', async (m: ToThread) => {
  if (m.type === 'metrics') send({ type: 'metrics', id: m.id, data: await rt.metrics.json() });
  if (m.type === 'stop') {
    // Finish the batch in hand, then let go of the database.
    await worker.close();
    await rt.close();
    send({ type: 'stopped' });
    port.close();
  }
});
send({ type: 'ready' });
