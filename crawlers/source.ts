import type { SourceConfig } from '../config/schema.ts';

/**
 * A place customers speak on their own. `run` fetches what is new since the last run and returns
 * raw items (validated at the ingest door, like any other entry point).
 */
export interface Source {
  readonly id: string;
  readonly kind: string;
  run(signal: AbortSignal): Promise<unknown[]>;
}

export type SourceFactory = (config: SourceConfig) => Source;

export interface SourceHealth {
  id: string;
  kind: string;
  schedule: number | null;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastItems: number;
  consecutiveFailures: number;
  running: boolean;
}
