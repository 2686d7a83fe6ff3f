import type { Source } from './source.ts';

/** What a checkpoint may hold: plain JSON, so every store can keep it as text. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Where each source remembers how far it got, keyed by source id. Deliberately left out: history,
 * listing and locking — a source's runs never overlap (the scheduler guarantees it), and only the
 * latest checkpoint matters.
 */
export interface CheckpointStore {
  /** The last value set for this source, or `null` before its first successful run. */
  get(sourceId: string): Promise<Json | null>;
  set(sourceId: string, value: Json): Promise<void>;
}

/** For tests and one-off runs: forgotten when the process ends. */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly values = new Map<string, string>();

  async get(sourceId: string): Promise<Json | null> {
    const text = this.values.get(sourceId);
    // Stored as text so a caller mutating what it got back cannot change the stored checkpoint.
    return text === undefined ? null : (JSON.parse(text) as Json);
  }

  async set(sourceId: string, value: Json): Promise<void> {
    this.values.set(sourceId, JSON.stringify(value));
  }
}

export interface IncrementalRunInput {
  signal: AbortSignal;
  /** What the previous successful run returned, or `null` on the first run. Connectors validate it. */
  checkpoint: unknown;
}

export interface IncrementalRunResult {
  items: unknown[];
  /** Save this only after the items are safely accepted, so a failed ingest re-fetches them. */
  checkpoint: Json;
  /** Things the operator should know that did not stop the run (skipped items, a feed broken half-way). */
  warnings?: string[];
}

/** A source that can resume: given the last checkpoint it returns only what is new since then. */
export interface IncrementalSource extends Source {
  runFrom(input: IncrementalRunInput): Promise<IncrementalRunResult>;
}

export function isIncremental(source: Source): source is IncrementalSource {
  return typeof (source as Partial<IncrementalSource>).runFrom === 'function';
}

/**
 * One scheduled run with checkpoints: read the checkpoint, run, hand the items to `accept`, and only
 * then store the new checkpoint. Sources without checkpoints simply run.
 */
export async function runWithCheckpoint<T>(
  source: Source,
  store: CheckpointStore,
  signal: AbortSignal,
  accept: (items: unknown[]) => Promise<T>,
  onWarnings?: (warnings: string[]) => void,
): Promise<T> {
  if (!isIncremental(source)) return accept(await source.run(signal));
  const previous = await store.get(source.id);
  const { items, checkpoint, warnings } = await source.runFrom({ signal, checkpoint: previous });
  if (warnings?.length) onWarnings?.(warnings);
  const outcome = await accept(items);
  await store.set(source.id, checkpoint);
  return outcome;
}
