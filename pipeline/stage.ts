import type { Config } from '../config/schema.ts';
import type { Analysis, Feedback, RawItem } from '../model/index.ts';
import type { FingerprintIndex } from '../store/ports.ts';

/**
 * A feedback record while the stages fill it in. Stages set their part of `analysis`; the runner
 * checks that every part is there before it writes. `fingerprint` travels to the fingerprint index
 * and is not stored with the feedback.
 */
export interface Draft extends Omit<Feedback, 'analysis' | 'lang'> {
  lang?: Feedback['lang'];
  analysis: Partial<Analysis> & { models: Record<string, string> };
  fingerprint?: { exact: string; bands: string[] };
}

/** Read-only context every stage gets. The only writes happen after the last stage. */
export interface StageContext {
  config: Config;
  /** Read side of the fingerprint index (earlier batches). */
  fingerprints: Pick<FingerprintIndex, 'match'>;
  now: Date;
}

/** A stage is a function over a batch: same length and order out as in. */
export interface Stage {
  name: string;
  run(batch: Draft[], ctx: StageContext): Draft[] | Promise<Draft[]>;
}

export type { RawItem };
