import { ValidationError } from '../model/index.ts';
import type { Fingerprint } from './ports.ts';
import { cyrb53 } from './sqlite/hash.ts';

/**
 * What every FingerprintIndex adapter shares: one key space (the exact hash and each near-duplicate
 * band as 53-bit integers), the (published, id) order, and the choice of the original.
 */
export function keysOf(exact: string, bands: readonly string[]): number[] {
  const keys = new Set<number>([cyrb53(`x\u0000${exact}`)]);
  for (const b of bands) keys.add(cyrb53(`b\u0000${b}`));
  return [...keys];
}

/** (published, id) order: the earlier of two items is the original. */
export const before = (aMs: number, aId: string, bMs: number, bId: string): boolean => aMs < bMs || (aMs === bMs && aId < bId);

/**
 * The id of the earliest holder of any of the probe's keys that comes before the probe. Only an
 * earlier item can be the original, never the item itself: otherwise re-processing an original after
 * its copies were indexed would make it a copy of its own copy.
 */
export function originalOf(probe: Fingerprint, keys: Iterable<number>, holderOf: (key: number) => { id: string; ms: number } | undefined): string | undefined {
  const ms = Date.parse(probe.publishedAt);
  let best: { id: string; ms: number } | undefined;
  for (const k of keys) {
    const h = holderOf(k);
    if (!h || h.id === probe.id || !before(h.ms, h.id, ms, probe.id)) continue;
    if (!best || before(h.ms, h.id, best.ms, best.id)) best = h;
  }
  return best?.id;
}

/** Refuses the whole batch when a date cannot be read: nothing is stored. */
export function checkFingerprints(fingerprints: readonly Fingerprint[]): void {
  const bad = fingerprints.flatMap((f, index) =>
    Number.isFinite(Date.parse(f.publishedAt)) ? [] : [{ path: `fingerprints[${index}].publishedAt`, message: 'must be an ISO 8601 date-time', index }]);
  if (bad.length > 0) throw new ValidationError('invalid fingerprints; nothing was stored', bad);
}
