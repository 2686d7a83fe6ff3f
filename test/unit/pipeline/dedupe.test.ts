import { describe, expect, test } from 'vitest';
import type { Draft } from '../../../pipeline/stage.ts';
import { BANDS, nearDuplicateBands, ROWS } from '../../../pipeline/nlp/minhash.ts';
import { dedupeStage } from '../../../pipeline/stages/dedupe.ts';
import { languageStage } from '../../../pipeline/stages/language.ts';
import { normalizeStage } from '../../../pipeline/stages/normalize.ts';
import { redactStage } from '../../../pipeline/stages/redact.ts';
import { context, draft, fakeFingerprints, run } from './helpers.ts';

const STAGES = [normalizeStage(), languageStage(), redactStage(), dedupeStage()];
const dedupe = (batch: Draft[], fingerprints = fakeFingerprints()) => run(STAGES, batch, context({ fingerprints }));

const ORIGINAL =
  'I ordered a standing desk from your store on March 3rd and it still has not arrived. Customer service promised a refund ' +
  'twice and nothing happened. I have called five times, waited on hold for an hour each time, and nobody can tell me where my order is.';
const REPOST =
  'I ordered a standing desk from your shop on March 3rd and it still has not arrived. Customer support promised a refund ' +
  'twice and nothing happened. I have called six times, waited on hold for an hour each time, and nobody can tell me where my order is.';
const CAMPAIGN = (name: string) =>
  `Dear ${name}, I am writing to demand that you stop charging hidden fees on every renewal. Your company has overcharged ` +
  'thousands of loyal customers and refused refunds. Refund every affected customer now or we will take this to the regulator.';
const UNRELATED =
  'The blender I bought last week stopped working after two uses. The motor smells burnt and the lid cracked. I would like ' +
  'a replacement or my money back, and I expect an answer from customer service within a few days.';
const ZH_ORIGINAL = '我在三月三号买的洗衣机到现在还没有发货，客服说会退款也一直没有消息，打了五次电话都没人能说清楚我的订单在哪里，太让人失望了。';
const ZH_REPOST = '我在三月五号买的洗衣机到现在还没有发货，客服说会退款也一直没有消息，打了六次电话都没人能说清楚我的订单在哪里，太让人失望了！';
const ZH_UNRELATED = '刚收到的电饭煲外壳有裂痕，插上电也不加热，联系卖家要求换货，卖家说要先寄回去检测，来回运费还要我自己出，实在不合理。';

describe('dedupe stage', () => {
  test('marks an exact repost as a duplicate of the earlier item, whatever the batch order', async () => {
    const later = draft({ text: ORIGINAL, publishedAt: '2025-01-02T00:00:00Z' });
    const earlier = draft({ text: `  ${ORIGINAL.toUpperCase()} `, publishedAt: '2025-01-01T00:00:00Z' });
    const [a, b] = await dedupe([later, earlier]);
    expect(a!.analysis.duplicateOf).toBe(earlier.id);
    expect(b!.analysis.duplicateOf).toBeNull();
  });

  test('detects a near-duplicate repost with a few words changed', async () => {
    const [a, b] = await dedupe([draft({ text: ORIGINAL }), draft({ text: REPOST })]);
    expect(b!.analysis.duplicateOf).toBe(a!.id);
  });

  test('detects a copy-paste campaign with the name swapped, pointing every copy at the first', async () => {
    const [a, b, c] = await dedupe([draft({ text: CAMPAIGN('Ms Chen') }), draft({ text: CAMPAIGN('Mr Roberts') }), draft({ text: CAMPAIGN('Sir or Madam') })]);
    expect(a!.analysis.duplicateOf).toBeNull();
    expect(b!.analysis.duplicateOf).toBe(a!.id);
    expect(c!.analysis.duplicateOf).toBe(a!.id);
  });

  test('detects a Chinese near-duplicate with a few characters changed', async () => {
    const [a, b] = await dedupe([draft({ text: ZH_ORIGINAL }), draft({ text: ZH_REPOST })]);
    expect(b!.analysis.duplicateOf).toBe(a!.id);
  });

  test('does not mark unrelated complaints about similar things', async () => {
    const out = await dedupe([draft({ text: ORIGINAL }), draft({ text: UNRELATED }), draft({ text: CAMPAIGN('Ms Chen') }), draft({ text: ZH_ORIGINAL }), draft({ text: ZH_UNRELATED })]);
    expect(out.map((d) => d.analysis.duplicateOf)).toEqual([null, null, null, null, null]);
  });

  test('never marks short texts from different people as duplicates of each other', async () => {
    const out = await dedupe([
      draft({ text: 'thanks!', author: { id: 'a' } }),
      draft({ text: 'thanks!', author: { id: 'b' } }),
      draft({ text: 'thanks!' }),
      draft({ text: 'thanks!' }),
      draft({ text: 'Terrible service.', author: { id: 'c' } }),
      draft({ text: 'Terrible service!', author: { id: 'd' } }),
    ]);
    expect(out.map((d) => d.analysis.duplicateOf)).toEqual([null, null, null, null, null, null]);
  });

  test('marks a short text the same author posts again as an exact duplicate', async () => {
    const [a, b] = await dedupe([draft({ text: 'where is my refund??', author: { handle: '@x' } }), draft({ text: 'Where is my refund??', author: { handle: '@x' } })]);
    expect(b!.analysis.duplicateOf).toBe(a!.id);
  });

  test('never marks survey answers as duplicates: each answer counts', async () => {
    const answer = () => draft({ channel: 'survey', initiator: 'company', text: ORIGINAL, survey: { survey: 'nps', metric: 'nps', score: 2 } });
    const out = await dedupe([answer(), answer()]);
    expect(out.map((d) => d.analysis.duplicateOf)).toEqual([null, null]);
    expect(out[0]!.fingerprint).toEqual({ exact: `solo:${out[0]!.id}`, bands: [] });
  });

  test('uses the fingerprint index for items seen in earlier batches', async () => {
    const probe = draft({ text: REPOST });
    const index = fakeFingerprints({ [probe.id]: 'earlier-id' });
    const [d] = await dedupe([probe], index);
    expect(d!.analysis.duplicateOf).toBe('earlier-id');
    expect(index.probes).toHaveLength(1);
    expect(index.probes[0]).toMatchObject({ id: probe.id, exact: d!.contentHash, publishedAt: probe.publishedAt });
    expect(index.probes[0]!.bands).toHaveLength(BANDS);
  });

  test('prefers the earlier batch over this one, so copies point at the original', async () => {
    const a = draft({ text: CAMPAIGN('A') });
    const b = draft({ text: CAMPAIGN('B') });
    const [x, y] = await dedupe([a, b], fakeFingerprints({ [a.id]: 'original' }));
    expect(x!.analysis.duplicateOf).toBe('original');
    expect(y!.analysis.duplicateOf).toBe('original');
  });

  test('re-processing an item is not a duplicate of itself, from the index or within a batch', async () => {
    const first = draft({ text: ORIGINAL, externalId: 'same' });
    const again = draft({ text: ORIGINAL, externalId: 'same' });
    expect(again.id).toBe(first.id);
    const out = await dedupe([first, again], fakeFingerprints({ [first.id]: first.id }));
    expect(out.map((d) => d.analysis.duplicateOf)).toEqual([null, null]);
  });

  test('a batch after a larger one finds only its own duplicates (the key table is reused)', async () => {
    const big = Array.from({ length: 300 }, (_, i) => draft({ text: CAMPAIGN(`Customer ${i}`) }));
    await dedupe(big);
    const [a, b, c] = await dedupe([draft({ text: UNRELATED }), draft({ text: ORIGINAL }), draft({ text: REPOST })]);
    expect(a!.analysis.duplicateOf).toBeNull();
    expect(b!.analysis.duplicateOf).toBeNull();
    expect(c!.analysis.duplicateOf).toBe(b!.id);
  });

  test('sets a fingerprint on every draft and records its version', async () => {
    const out = await dedupe([draft({ text: ORIGINAL }), draft({ text: 'ok' }), draft({ text: '' , channel: 'survey', survey: { survey: 's', metric: 'nps', score: 9 } })]);
    expect(out[0]!.fingerprint!.exact).toBe(out[0]!.contentHash);
    expect(out[0]!.fingerprint!.bands).toHaveLength(BANDS);
    expect(out[1]!.fingerprint).toEqual({ exact: `solo:${out[1]!.id}`, bands: [] });
    expect(out.every((d) => d.analysis.models.dedupe === 'minhash-1')).toBe(true);
  });
});

describe('MinHash band keys', () => {
  /** Seeded so the statistics below are the same on every run. */
  function words(seed: number, n: number): string[] {
    let s = seed;
    return Array.from({ length: n }, () => {
      s = (Math.imul(s, 1103515245) + 12345) | 0;
      return `w${(s >>> 8).toString(36)}`;
    });
  }
  const shares = (a: string, b: string) => {
    const keys = new Set(nearDuplicateBands(a));
    return nearDuplicateBands(b).some((k) => keys.has(k));
  };

  test('are identical for identical text and case-insensitive', () => {
    expect(nearDuplicateBands(ORIGINAL)).toEqual(nearDuplicateBands(ORIGINAL.toUpperCase()));
    expect(nearDuplicateBands(ORIGINAL)).toHaveLength(BANDS);
  });

  test('are not made for texts with too few shingles', () => {
    expect(nearDuplicateBands('too short to tell')).toEqual([]);
  });

  test(`follow the LSH curve 1 − (1 − J^${ROWS})^${BANDS}: near copies collide, unrelated texts almost never`, () => {
    let nearHits = 0;
    let farHits = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const base = words(t + 1, 40);
      const near = base.map((w, i) => (i % 20 === 7 ? `changed${t}` : w)); // 2 of 40 words changed, J ≈ 0.8
      const far = base.map((w, i) => (i % 2 === 0 ? `other${t}x${i}` : w)); // every other word changed, J ≈ 0
      if (shares(base.join(' '), near.join(' '))) nearHits++;
      if (shares(base.join(' '), far.join(' '))) farHits++;
    }
    expect(nearHits / trials).toBeGreaterThan(0.9);
    expect(farHits).toBe(0);
  });
});
