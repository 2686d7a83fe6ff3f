import { createHash, hash } from 'node:crypto';

/** Stable id of a piece of feedback: the same (source, external id) always maps to the same id. */
export function feedbackId(sourceId: string, externalId: string): string {
  return createHash('sha256').update(sourceId).update('\u0000').update(externalId).digest('base64url').slice(0, 22);
}

/** One-shot hashing: measured 2–3× faster than createHash on the pipeline's hot path. */
export function contentHash(normalizedText: string): string {
  return hash('sha1', normalizedText, 'hex');
}
