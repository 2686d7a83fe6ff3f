import type { Command } from 'commander';
import type { Server } from 'node:http';
import type { Config } from '../../config/schema.ts';
import type { Scheduler } from '../../crawlers/scheduler.ts';
import type { WorkerHandle } from '../../pipeline/queue/port.ts';
import { openRuntime, startApi, startScheduler, startWorker } from '../runtime.ts';
import { startWorkerThreads, type WorkerThreads } from '../threads.ts';

type Role = 'api' | 'worker' | 'scheduler';

/**
 * One binary, roles chosen by the command: `start` runs all three in one process (the embedded
 * default); `api` and `worker` run one role each, for the cluster mode.
 */
export function registerServe(program: Command, config: () => Config): void {
  program.command('start').description('run api + worker + scheduler in one process (embedded mode)')
    .action(() => serve(config(), ['api', 'worker', 'scheduler']));
  program.command('api').description('run the HTTP API only')
    .action(() => serve(config(), ['api']));
  program.command('worker').description('run the pipeline worker only')
    .action(() => serve(config(), ['worker']));
}

async function serve(config: Config, roles: Role[]): Promise<void> {
  const rt = await openRuntime(config);
  let server: Server | undefined;
  let worker: WorkerHandle | undefined;
  let threads: WorkerThreads | undefined;
  let scheduler: Scheduler | undefined;
  if (roles.includes('worker')) {
    const n = config.worker.threads;
    if (n > 0) worker = threads = await startWorkerThreads(config, n, rt.metrics, rt.log);
    else worker = startWorker(rt);
  }
  if (roles.includes('scheduler')) scheduler = startScheduler(rt);
  if (roles.includes('api')) server = await startApi(rt, scheduler, () => threads?.health() ?? []);
  const { host, port, dataDir, store, queue } = config.deployment;
  const url = server ? `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}` : undefined;
  rt.log.info({ roles, store, queue, dataDir, url }, 'allears started');
  if (process.stderr.isTTY && url) {
    process.stderr.write(`\nallears is running on ${url} (${store} + ${queue} queue, data in ${dataDir}). Ctrl-C stops it.\n\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.log.info({ signal }, 'shutting down: finishing the current batch');
    await scheduler?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await worker?.close();
    await rt.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
