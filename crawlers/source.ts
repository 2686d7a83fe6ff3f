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

/**
 * - waiting: has not run (or been pushed to) yet
 * - ok: last run succeeded and items keep coming
 * - failing: the last run failed (`lastError` says why)
 * - stale: runs succeed but nothing new has come for longer than `staleAfter` (a changed page layout, a revoked key…)
 * - broken: the connector could not be set up from its config
 */
export const SOURCE_STATUSES = ['waiting', 'ok', 'failing', 'stale', 'broken'] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];

export interface SourceHealth {
  id: string;
  kind: string;
  status: SourceStatus;
  schedule: number | null;
  /** Quiet time after which a source counts as stale, in ms; null = never. */
  staleAfter: number | null;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  /** When the last run (or push) brought at least one item. */
  lastItemAt: string | null;
  lastItems: number;
  /** Items per run, the most recent last (at most 10). */
  recentItems: number[];
  consecutiveFailures: number;
  /** Warnings of the last run: skipped items, a feed broken half-way, pages left for later (at most 20). */
  lastWarnings: string[];
  running: boolean;
}
