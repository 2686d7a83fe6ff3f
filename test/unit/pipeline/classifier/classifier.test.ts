import { describe, expect, test } from 'vitest';
import { evaluate, trainClassifier } from '../../../../pipeline/nlp/classifier/index.ts';
import { toyExamples } from './toy-data.ts';

const opts = { task: 'sentiment', featureOptions: { bits: 16 }, logreg: { epochs: 5 } };

describe('TextClassifier', () => {
  test('should learn a separable English problem', () => {
    const clf = trainClassifier(toyExamples('en', 400, 1), opts);
    expect(evaluate(clf, toyExamples('en', 200, 2)).accuracy).toBe(1);
    const p = clf.predict('the staff was rude and the flight delayed');
    expect(p.label).toBe('negative');
    expect(p.probabilities.negative! + p.probabilities.positive!).toBeCloseTo(1, 6);
    expect(p.probabilities.negative).toBeGreaterThan(0.8);
  });

  test('should learn a separable Chinese problem', () => {
    const clf = trainClassifier(toyExamples('zh', 400, 3), opts);
    expect(evaluate(clf, toyExamples('zh', 200, 4)).accuracy).toBe(1);
    expect(clf.predict('外卖太差了，很失望').label).toBe('negative');
    expect(clf.predict('酒店干净，很满意').label).toBe('positive');
  });

  test('should give identical weights for the same seed and different ones for another', () => {
    const data = toyExamples('en', 200, 5);
    const a = trainClassifier(data, { ...opts, logreg: { epochs: 3, seed: 7 } });
    const b = trainClassifier(data, { ...opts, logreg: { epochs: 3, seed: 7 } });
    const c = trainClassifier(data, { ...opts, logreg: { epochs: 3, seed: 8 } });
    expect(Buffer.from(a.model.weights.buffer).equals(Buffer.from(b.model.weights.buffer))).toBe(true);
    expect(a.card!.version).toBe(b.card!.version);
    expect(Buffer.from(a.model.weights.buffer).equals(Buffer.from(c.model.weights.buffer))).toBe(false);
  });

  test('should learn with weight averaging as well', () => {
    const clf = trainClassifier(toyExamples('en', 300, 9), { ...opts, logreg: { epochs: 3, average: true } });
    expect(evaluate(clf, toyExamples('en', 100, 10)).accuracy).toBe(1);
  });

  test('should refuse data with a single label', () => {
    expect(() => trainClassifier([{ text: 'a', label: 'x' }, { text: 'b', label: 'x' }], opts)).toThrow(/two labels/);
  });
});
