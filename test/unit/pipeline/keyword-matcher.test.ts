import { describe, expect, test } from 'vitest';
import { KeywordMatcher } from '../../../pipeline/nlp/keyword-matcher.ts';

const matcher = new KeywordMatcher([
  { id: 'delivery', keywords: { en: ['delay', 'lost package', 'shipped', 'shipping'], zh: ['发货', '不发货', '快递'] } },
  { id: 'regulator', keywords: { en: ['cfpb', 'attorney general'], zh: ['12315', '黑猫投诉'] } },
  { id: 'app', keywords: { en: [], zh: ['app', '闪退'] } },
]);
const found = (text: string) => matcher.match(text).map((h) => [matcher.groups[h.group], matcher.keywords[h.keyword], text.slice(h.start, h.end)]);

describe('KeywordMatcher', () => {
  test('matches English keywords as whole words by stem', () => {
    expect(found('Delays again, and two LOST PACKAGES')).toEqual([
      ['delivery', 'delay', 'Delays'],
      ['delivery', 'lost package', 'LOST PACKAGES'],
    ]);
    expect(found('relay station')).toEqual([]);
  });

  test('matches Chinese keywords as substrings, dropping a hit inside a longer one of the same group', () => {
    expect(found('商家一直不发货')).toEqual([['delivery', '不发货', '不发货']]);
    expect(found('快递已发货')).toEqual([
      ['delivery', '快递', '快递'],
      ['delivery', '发货', '发货'],
    ]);
  });

  test('matches ASCII keywords from the Chinese list as words: "12315" is not found inside an order number', () => {
    expect(found('我要打12315投诉')).toEqual([['regulator', '12315', '12315']]);
    expect(found('订单号 8812315990')).toEqual([]);
    expect(found('App 闪退')).toEqual([
      ['app', 'app', 'App'],
      ['app', '闪退', '闪退'],
    ]);
  });

  test('matches multi-word keywords across any whitespace and case', () => {
    expect(found('Call the Attorney  General now')).toEqual([['regulator', 'attorney general', 'Attorney  General']]);
  });

  test('counts distinct keywords per group; inflections of one stem count once', () => {
    const hits = matcher.match('shipped late, shipping slow, shipped again, delays, CFPB');
    expect(matcher.countDistinct(hits)).toEqual([2, 1, 0]);
  });
});
