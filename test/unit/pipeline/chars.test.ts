import { describe, expect, test } from 'vitest';
import { isWhitespace } from '../../../pipeline/nlp/chars.ts';

describe('isWhitespace', () => {
  test('agrees with \\s on every UTF-16 code unit', () => {
    const differ: number[] = [];
    for (let c = 0; c <= 0xffff; c++) if (isWhitespace(c) !== /\s/.test(String.fromCharCode(c))) differ.push(c);
    expect(differ).toEqual([]);
  });
});
