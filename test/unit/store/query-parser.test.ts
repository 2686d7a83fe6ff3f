import { describe, expect, test } from 'vitest';
import { QuerySyntaxError } from '../../../model/index.ts';
import { compileQuery as compile } from '../../../store/sqlite/query-parser.ts';

const compileQuery = (q: string | undefined) => compile(q)?.expr ?? null;

function errorOf(q: string): QuerySyntaxError {
  try {
    compileQuery(q);
  } catch (e) {
    if (e instanceof QuerySyntaxError) return e;
    throw e;
  }
  throw new Error(`no error for ${q}`);
}

describe('compileQuery (user query → FTS5 MATCH expression)', () => {
  test('should return null for a missing or blank query', () => {
    expect(compileQuery(undefined)).toBeNull();
    expect(compileQuery('  \t ')).toBeNull();
  });

  test.each([
    ['refund', '"refund"'],
    ['refund late', '("refund") AND ("late")'],
    ['"late delivery" refund', '("late delivery") AND ("refund")'],
    ['a OR b c', '("a") OR (("b") AND ("c"))'],
    ['refund -late', '(("refund")) NOT (("late"))'],
    ['refund NOT late', '(("refund")) NOT (("late"))'],
    ['a AND b', '("a") AND ("b")'],
    ['(a OR b) -(c OR d)', '((("a") OR ("b"))) NOT ((("c") OR ("d")))'],
    ['e-mail', '"e-mail"'],
  ])('should translate %j to %j', (q, expected) => {
    expect(compileQuery(q)).toBe(expected);
  });

  test('should quote every term, so engine syntax in user text stays plain words', () => {
    expect(compileQuery('col:x')).toBe('"col:x"');
    expect(compileQuery('NEAR(a b)')).toBe('("NEAR") AND (("a") AND ("b"))');
    expect(compileQuery('say "x""y"')).toBe('("say") AND ("x") AND ("y")');
    expect(compileQuery('refund* ^late')).toBe('("refund*") AND ("^late")');
  });

  test('should segment Chinese terms into words, making a phrase of several', () => {
    expect(compileQuery('理赔')).toBe('"理赔"');
    expect(compileQuery('理赔速度')).toBe('"理赔 速度"');
    expect(compileQuery('iPhone屏幕')).toBe('"iPhone 屏幕"');
  });

  test('should drop terms with nothing searchable but keep the rest', () => {
    expect(compileQuery('* OR refund')).toBe('"refund"');
    expect(compileQuery('refund -')).toBe('"refund"');
  });

  test.each([
    ['refund "late', 'unbalanced quote at position 7'],
    ['"', 'unbalanced quote at position 0'],
    ['NEAR(', 'unbalanced parenthesis at position 4'],
    ['(a', 'unbalanced parenthesis at position 0'],
    ['a)', 'unbalanced parenthesis at position 1'],
    ['-only', 'the part starting at position 0 only excludes; add a word to search for'],
    ['OR a', 'OR at position 0 needs a term on each side'],
    ['a OR', 'OR at position 2 needs a term on each side'],
    ['a OR OR b', 'OR at position 2 needs a term on each side'],
    ['AND b', 'AND at position 0 needs a term on each side'],
    ['a NOT', 'exclusion at position 2 needs a term after it'],
    ['*', 'the query has no words to search for'],
    ['((((((((((a))))))))))', 'parentheses nested deeper than 8 at position 8'],
  ])('should reject %j: %s', (q, message) => {
    const err = errorOf(q);
    expect(err.details).toEqual([{ path: 'q', message }]);
    expect(err.status).toBe(400);
  });

  test('should list the terms a match may contain, for relevance', () => {
    expect(compile('(refund OR 理赔速度) -late')).toEqual({
      expr: '((("refund") OR ("理赔 速度"))) NOT (("late"))', leaves: ['"refund"', '"理赔 速度"'], anyOf: true, unionOfLeaves: false,
    });
    expect(compile('refund OR 退款')?.unionOfLeaves).toBe(true);
    expect(compile('refund late')?.anyOf).toBe(false);
  });

  test('should reject more than 64 terms', () => {
    expect(errorOf(Array.from({ length: 65 }, (_, i) => `w${i}`).join(' ')).details[0]?.message).toBe('more than 64 terms');
  });
});
