import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { nearDuplicateBands } from '../../../pipeline/nlp/minhash.ts';

/**
 * Band keys are stored with each item and compared with the keys of later batches, so they must
 * never change for a given text (a change needs a new DEDUPE_VERSION and a re-index).
 */
const EN =
  'I ordered a standing desk from your store on March 3rd and it still has not arrived. Customer service promised a refund twice and nothing happened.';
const ZH = '我在三月三号买的洗衣机到现在还没有发货，客服说会退款也一直没有消息，打了五次电话都没人能说清楚我的订单在哪里，太让人失望了。';
/** Han followed by Latin words, Latin-1 capitals, a ×, and stop-word pairs. */
const MIXED = '昨天买了 iPhone 15 Pro，屏幕有划痕，客服说 refund 要等七天，ÉTÉ Über café naïve ÀÖ× test of the it was in the my order';
/** Kana and Hangul are single-character units too. */
const KANA_HANGUL =
  'こんにちは、注文した商品がまだ届きません。カスタマーサービスに連絡しましたが返事がありません。한국어 텍스트 도 있습니다 안녕하세요';
/** Just above the shingle minimum: most bins are filled by densification. */
const FEW_SHINGLES = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet';

const digest = (keys: string[]) => createHash('sha256').update(keys.join(',')).digest('hex').slice(0, 16);

describe('near-duplicate band keys are stable across releases', () => {
  test('English', () => {
    expect(nearDuplicateBands(EN)).toEqual([
      'b00:vLoiqQzPMu', 'b01:U3OW-hVvrr', 'b02:YX3mDmfF6W', 'b03:oa9Ctl8IgW', 'b04:dE1_hvUrjP', 'b05:WuVb1Hxuyh', 'b06:1OmrTZR90-',
      'b07:k52sXLGsL9', 'b08:mQnhBLrE3I', 'b09:RTphBMxpRy', 'b10:xu7K3jtiSJ', 'b11:sE3B4jlFEE', 'b12:MYKlNf5LUp', 'b13:OlszdkhEuO',
      'b14:YYksar2FYo', 'b15:CiPaqWk-Hj', 'b16:KsN9yCAj-k', 'b17:2UNTtNVFLn', 'b18:5-L9QkOV8P', 'b19:mZR_UTVA2A',
    ]);
  });

  test('Chinese', () => {
    expect(nearDuplicateBands(ZH)).toEqual([
      'b00:26yiwHJ2ve', 'b01:0KS4ffV8JV', 'b02:ioICkA2d22', 'b03:xp_82JfF1g', 'b04:0aYxh2aMPg', 'b05:fTZWBQ70PE', 'b06:iL1F5uqQDR',
      'b07:yjkQx1RbkR', 'b08:mob1SqZT35', 'b09:ZoIP1iD1dL', 'b10:N-8Dh_T9Sz', 'b11:2ha3f5H2gQ', 'b12:6PYV_-mhdS', 'b13:57qEGxOLg7',
      'b14:_LjZS4YGtJ', 'b15:LKBaOiXeIk', 'b16:kI9NlVtzXU', 'b17:nms4GG1fc3', 'b18:6vRTk7qIAV', 'b19:Rn9GaTqWg_',
    ]);
  });

  test('mixed scripts, kana and Hangul, and a text with few shingles', () => {
    expect(digest(nearDuplicateBands(MIXED))).toBe('cd7eb580175a4bd5');
    expect(digest(nearDuplicateBands(KANA_HANGUL))).toBe('efb88eb65251dd5b');
    expect(digest(nearDuplicateBands(FEW_SHINGLES))).toBe('e713f54e9ecba323');
    expect(nearDuplicateBands('质量很好物流很快')).toEqual([]);
  });

  test('the same keys however calls are interleaved (no state left over between texts)', () => {
    const first = [EN, ZH, MIXED].map((t) => nearDuplicateBands(t));
    const again = [MIXED, ZH, EN].map((t) => nearDuplicateBands(t)).reverse();
    expect(again).toEqual(first);
  });
});
