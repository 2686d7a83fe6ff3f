import { describe, expect, test } from 'vitest';
import { computeMetrics, formatReport, fromConfusion } from '../../../../pipeline/nlp/classifier/index.ts';

describe('metrics', () => {
  // gold a: 3 → predicted a,a,b; gold b: 2 → b,c; gold c: 1 → c
  const gold = ['a', 'a', 'a', 'b', 'b', 'c'];
  const pred = ['a', 'a', 'b', 'b', 'c', 'c'];

  test('should compute accuracy, per-class scores and macro-F1 by hand', () => {
    const m = computeMetrics(gold, pred, ['a', 'b', 'c']);
    expect(m.confusion).toEqual([[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
    expect(m.accuracy).toBeCloseTo(4 / 6);
    // a: P 2/2, R 2/3, F1 0.8; b: P 1/2, R 1/2, F1 0.5; c: P 1/2, R 1, F1 2/3
    expect(m.perClass.a).toEqual({ precision: 1, recall: 2 / 3, f1: expect.closeTo(0.8, 10), support: 3 });
    expect(m.perClass.b!.f1).toBeCloseTo(0.5);
    expect(m.perClass.c!.precision).toBeCloseTo(0.5);
    expect(m.perClass.c!.recall).toBe(1);
    expect(m.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3);
  });

  test('should append labels seen only in the data', () => {
    const m = computeMetrics(['x', 'y'], ['x', 'z'], ['x']);
    expect(m.labels).toEqual(['x', 'y', 'z']);
    expect(m.perClass.z).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });

  test('should leave classes absent from gold and predictions out of macro-F1', () => {
    expect(fromConfusion(['a', 'b', 'c'], [[1, 0, 0], [0, 1, 0], [0, 0, 0]]).macroF1).toBe(1);
  });

  test('should print a readable table', () => {
    const text = formatReport(computeMetrics(gold, pred, ['a', 'b', 'c']));
    expect(text).toContain('accuracy 66.7%');
    expect(text).toMatch(/^a\s+100\.0\s+66\.7\s+80\.0\s+3$/m);
    expect(text).toContain('confusion (rows gold, columns predicted)');
    expect(text).toMatch(/^a\s+2\s+1\s+0$/m);
  });
});
