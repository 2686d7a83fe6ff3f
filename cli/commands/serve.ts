import type { Command } from 'commander';
import type { Server } from 'node:http';
import type { Config } from '../../config/schema.ts';
import type { Scheduler } from '../../crawlers/scheduler.ts';
import type { WorkerHandle } from '../../pipeline/queue/port.ts';
import { openRuntime, startApi, startCrawler, startOps, startWorker } from '../runtime.ts';
import { startWorkerThreads, type WorkerThreads } from '../threads.ts';

type Role = 'api' | 'worker' | 'crawler';

/**
 * One binary, roles chosen by the command: `start` runs all three in one process (the embedded
 * default); `api`, `worker` and `crawler` run one role each, for the cluster mode (any number of
 * workers; one crawler, since schedules are kept per process).
 */
export function registerServe(program: Command, config: () => Config): void {
  program.command('start').description('run api + worker + crawler in one process (embedded mode)')
    .action(() => serve(config(), ['api', 'worker', 'crawler']));
  program.command('api').description('run the HTTP API only')
    .action(() => serve(config(), ['api']));
  program.command('worker').description('run the pipeline worker only')
    .action(() => serve(config(), ['worker']));
  program.command('crawler').description('run the sources on their schedules (and runs asked for through the API)')
    .action(() => serve(config(), ['crawler']));
}

async function serve(config: Config, roles: Role[]): Promise<void> {
  const rt = await openRuntime(config);
  let server: Server | undefined;
  let worker: WorkerHandle | undefined;
  let threads: WorkerThreads | undefined;
  let crawler: { scheduler: Scheduler; close: () => Promise<void> } | undefined;
  if (roles.includes('worker')) {
    const n = config.worker.threads;
    if (n > 0) worker = threads = await startWorkerThreads(config, n, rt.metrics, rt.log);
    else worker = startWorker(rt);
  }
  if (roles.includes('crawler')) crawler = startCrawler(rt);
  if (roles.includes('api')) server = await startApi(rt, crawler?.scheduler, () => threads?.health() ?? []);
  else server = await startOps(rt, () => threads?.health() ?? []);
  const { host, port, dataDir, store, queue } = config.deployment;
  const url = server && roles.includes('api') ? `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}` : undefined;
  rt.log.info({ roles, store, queue, dataDir, url }, 'allears started');
  if (process.stderr.isTTY && url) {
    process.stderr.write(`\nallears is running on ${url} (${store} + ${queue} queue, data in ${dataDir}). Ctrl-C stops it.\n\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.log.info({ signal }, 'shutting down: finishing the current batch');
    await crawler?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await worker?.close();
    await rt.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
