import type { Express } from 'express';
import { createApp } from '../../api/app.ts';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../config/logger.ts';
import type { ConfigInput } from '../../config/schema.ts';
import type { WorkerHandle } from '../../pipeline/queue/port.ts';
import { openRuntime, startWorker, VERSION, type Runtime } from '../../cli/runtime.ts';
import { tempDir, waitFor } from './tmp.ts';

export interface TestRuntime {
  rt: Runtime;
  app: Express;
  worker: WorkerHandle;
  dir: string;
  /** Resolves when every queued job has been processed. */
  drained: () => Promise<void>;
  close: () => Promise<void>;
}

/** An embedded runtime in a temporary directory, with its worker running and no scheduled sources. */
export async function testRuntime(overrides: Partial<ConfigInput> = {}): Promise<TestRuntime> {
  const t = tempDir();
  const config = loadConfig({
    env: {},
    overrides: { ...overrides, deployment: { dataDir: t.dir, port: 0, logLevel: 'silent', ...(overrides.deployment ?? {}) }, sources: overrides.sources ?? [] },
  });
  const rt = await openRuntime(config, createLogger('silent'));
  const worker = startWorker(rt);
  const app = createApp({ ...rt, version: VERSION });
  const drained = async () => {
    await waitFor(async () => (await rt.queue.stats()).every((s) => s.waiting + s.active + s.delayed === 0), { timeoutMs: 120_000, what: 'queue to drain' });
  };
  return {
    rt, app, worker, dir: t.dir, drained,
    close: async () => { await worker.close(); await rt.close(); t.cleanup(); },
  };
}
