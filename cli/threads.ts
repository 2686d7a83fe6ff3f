import { Worker } from 'node:worker_threads';
import type { DependencyHealth } from '../api/deps.ts';
import type { Logger } from '../config/logger.ts';
import type { Config } from '../config/schema.ts';
import type { Metrics, MetricsJson } from '../pipeline/metrics.ts';

/** Messages between the main thread and a pipeline thread. Kept here: worker-thread.ts runs when imported. */
export type ToThread = { type: 'stop' } | { type: 'metrics'; id: number };
export type FromThread = { type: 'ready' } | { type: 'stopped' } | { type: 'metrics'; id: number; data: unknown };

export interface WorkerThreads {
  close(): Promise<void>;
  /** One entry per thread; a thread that died is reported, so /healthz does not say ok. */
  health(): DependencyHealth[];
}

/**
 * Run the pipeline worker in `n` threads. Each has its own SQLite connection; what they index
 * reaches the API thread's doc values through the index's change sequence. Their metrics are
 * merged into the main thread's /metrics.
 */
export async function startWorkerThreads(config: Config, n: number, metrics: Metrics, log: Logger): Promise<WorkerThreads> {
  const threads = await Promise.all(Array.from({ length: n }, () => spawnThread(config, log)));
  let nextId = 0;
  for (const t of threads) {
    metrics.addSource(() => new Promise<MetricsJson>((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => { t.off('message', on); resolve([]); }, 2000);
      const on = (m: FromThread) => {
        if (m.type === 'metrics' && m.id === id) {
          clearTimeout(timer);
          t.off('message', on);
          resolve(m.data as MetricsJson);
        }
      };
      t.on('message', on);
      t.postMessage({ type: 'metrics', id } satisfies ToThread);
    }));
  }
  const exited = new Map<Worker, number>();
  for (const t of threads) t.once('exit', (code) => exited.set(t, code));
  return {
    close: async () => {
      // A thread that already exited will not exit again: do not wait for it.
      await Promise.all(threads.filter((t) => !exited.has(t)).map((t) => new Promise<void>((resolve) => {
        t.once('exit', () => resolve());
        t.postMessage({ type: 'stop' } satisfies ToThread);
      })));
    },
    health: () => threads.map((t, i) => (exited.has(t)
      ? { name: `pipeline-thread-${i + 1}`, ok: false, detail: `exited with code ${exited.get(t)}; restart allears` }
      : { name: `pipeline-thread-${i + 1}`, ok: true })),
  };
}

function spawnThread(config: Config, log: Logger): Promise<Worker> {
  const t = new Worker(new URL('./worker-thread.js', import.meta.url), { workerData: { config } });
  return new Promise((resolve, reject) => {
    t.once('error', reject);
    t.on('message', (m: FromThread) => { if (m.type === 'ready') resolve(t); });
    t.once('exit', (code) => {
      if (code !== 0) log.fatal({ code }, 'pipeline worker thread exited');
    });
  });
}
