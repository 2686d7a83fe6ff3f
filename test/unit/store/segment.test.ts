import { describe, expect, test } from 'vitest';
import { segmentForIndex, segmentForQuery } from '../../../store/sqlite/segment.ts';

describe('segmentForIndex', () => {
  test('should leave text without Chinese as it is', () => {
    expect(segmentForIndex('The café was closed')).toEqual({ body: 'The café was closed', sub: '' });
  });

  test('should set Chinese words apart in reading order', () => {
    expect(segmentForIndex('理赔速度太慢了').body.trim().split(/\s+/)).toEqual(['理赔', '速度', '太慢', '了']);
  });

  test('should keep search-mode sub-words of long words in a separate stream', () => {
    const s = segmentForIndex('中华人民共和国成立');
    expect(s.body.trim().split(/\s+/)).toEqual(['中华人民共和国', '成立']);
    expect(s.sub.split(' ')).toEqual(expect.arrayContaining(['中华', '人民', '共和国']));
  });

  test('should keep mixed text around the Chinese words verbatim', () => {
    const s = segmentForIndex('iPhone15屏幕坏了, call 400-123');
    expect(s.body).toContain('iPhone15');
    expect(s.body).toContain(', call 400-123');
    expect(s.body).toMatch(/ 屏幕 /);
  });

  test('should normalize full-width characters', () => {
    expect(segmentForIndex('ｒｅｆｕｎｄ').body).toBe('refund');
  });
});

describe('segmentForQuery', () => {
  test('should segment a query term like the index does', () => {
    expect(segmentForQuery('客服态度')).toBe('客服 态度');
    expect(segmentForQuery('refunds')).toBe('refunds');
  });
});
