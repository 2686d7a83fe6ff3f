import { describe, expect, test } from 'vitest';
import { cutZh, cutZhForSearch, jieba } from '../../../pipeline/nlp/zh-tokenizer.ts';

describe('Chinese tokenizer', () => {
  test('segments into words and drops whitespace', () => {
    expect(cutZh('客服 态度很差，物流很快')).toEqual(['客服', '态度', '很差', '，', '物流', '很快']);
  });

  test('search mode also yields the parts of long words', () => {
    expect(cutZhForSearch('中华人民共和国')).toEqual(expect.arrayContaining(['中华', '人民', '共和国', '中华人民共和国']));
  });

  test('loads the dictionary once', () => {
    expect(jieba()).toBe(jieba());
  });
});
