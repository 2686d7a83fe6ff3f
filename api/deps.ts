import type { Config } from '../config/schema.ts';
import type { SourceDirectory } from '../crawlers/directory.ts';
import type { Logger } from '../config/logger.ts';
import type { Ingestor } from '../pipeline/ingest.ts';
import type { Metrics } from '../pipeline/metrics.ts';
import type { JobQueue } from '../pipeline/queue/port.ts';
import type { FeedbackIndex } from '../store/ports.ts';

export interface DependencyHealth {
  name: string;
  ok: boolean;
  detail?: string;
}

/** What the HTTP layer needs; the composition root (cli/runtime.ts) provides it. */
export interface ApiDeps {
  config: Config;
  index: FeedbackIndex;
  queue: JobQueue;
  ingestor: Ingestor;
  metrics: Metrics;
  log: Logger;
  /** Checks each backend; /healthz reports the ones that fail. */
  health: () => Promise<DependencyHealth[]>;
  version: string;
  /** The configured sources: health, checkpoints, runs and webhook pushes. */
  sources?: SourceDirectory;
}
