import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ValidationError } from '../../../../model/index.ts';
import { fromModelFile, loadModel, saveModel, toModelFile, trainFromRecords } from '../../../../pipeline/nlp/classifier/index.ts';
import { toyExamples } from './toy-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'allears-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = [...toyExamples('en', 150, 11), ...toyExamples('zh', 150, 12)].map((e) => ({ body: e.text, y: e.label }));
const { classifier } = trainFromRecords(records, { task: 'sentiment', textCol: 'body', labelCol: 'y', featureOptions: { bits: 12 }, logreg: { epochs: 3 }, data: { file: 'toy.csv', licence: 'CC0' } });

function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('no error thrown');
}

describe('model file', () => {
  test('should predict identically after save and load', async () => {
    const path = join(dir, 'm.json');
    await saveModel(classifier, path);
    const loaded = await loadModel(path);
    expect(loaded.labels).toEqual(classifier.labels);
    expect(loaded.card).toEqual(classifier.card);
    for (const { text } of [...toyExamples('en', 30, 13), ...toyExamples('zh', 30, 14), { text: 'nothing known here' }]) {
      expect(loaded.predict(text)).toEqual(classifier.predict(text));
    }
  });

  test('should carry the model card with held-out metrics', () => {
    const f = toModelFile(classifier);
    expect(f.format).toBe('allears-textclf-1');
    expect(f.card.data).toEqual({ file: 'toy.csv', rows: 240, licence: 'CC0' });
    expect(f.card.metrics.accuracy).toBe(1);
    expect(Object.keys(f.card.metrics.perClass).sort()).toEqual(['negative', 'positive']);
  });

  test('should name the field when weights are truncated', () => {
    const f = toModelFile(classifier);
    const err = errorOf(() => fromModelFile({ ...f, weights: f.weights.slice(0, 100) }));
    expect(err.details.map((d) => d.path)).toContain('weights');
    expect(err.message).toMatch(/weights: holds 75 bytes/);
  });

  test('should name each invalid field', () => {
    const f = toModelFile(classifier);
    const err = errorOf(() => fromModelFile({ ...f, format: 'other-1', featureOptions: { ...f.featureOptions, bits: 'x' }, card: { ...f.card, trainedAt: 'yesterday' } }));
    const paths = err.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['format', 'featureOptions.bits', 'card.trainedAt']));
    expect(err.code).toBe('model_invalid');
  });

  test('should name the file when it is not JSON', async () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"format": "allears-textclf-1", "wei');
    await expect(loadModel(path)).rejects.toThrow(/broken\.json is not JSON/);
  });

  test('should refuse a model with duplicate labels or a bias of the wrong length', () => {
    const f = toModelFile(classifier);
    const err = errorOf(() => fromModelFile({ ...f, labels: ['a', 'a'], bias: [0] }));
    expect(err.details.map((d) => d.path)).toEqual(expect.arrayContaining(['labels']));
  });
});
