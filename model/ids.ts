import { createHash } from 'node:crypto';

/** Stable id of a piece of feedback: the same (source, external id) always maps to the same id. */
export function feedbackId(sourceId: string, externalId: string): string {
  return createHash('sha256').update(sourceId).update('\u0000').update(externalId).digest('base64url').slice(0, 22);
}

export function contentHash(normalizedText: string): string {
  return createHash('sha1').update(normalizedText).digest('hex');
}
