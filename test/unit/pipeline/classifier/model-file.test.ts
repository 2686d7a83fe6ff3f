import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ValidationError } from '../../../../model/index.ts';
import { Featurizer, fromModelFile, loadModel, saveModel, toModelFile, trainFromRecords } from '../../../../pipeline/nlp/classifier/index.ts';
import { toyExamples } from './toy-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'allears-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = [...toyExamples('en', 150, 11), ...toyExamples('zh', 150, 12)].map((e) => ({ body: e.text, y: e.label }));
const { classifier } = trainFromRecords(records, { task: 'sentiment', textCol: 'body', labelCol: 'y', featureOptions: { bits: 12 }, logreg: { epochs: 3 }, data: { file: 'toy.csv', licence: 'CC0' } });
const { classifier: withIdf } = trainFromRecords(records, { task: 'sentiment', textCol: 'body', labelCol: 'y', featureOptions: { bits: 12, idf: true }, logreg: { epochs: 3 }, data: { file: 'toy.csv' } });
const probes = [...toyExamples('en', 30, 13), ...toyExamples('zh', 30, 14), { text: 'nothing known here' }];

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
    for (const { text } of probes) {
      expect(loaded.predict(text)).toEqual(classifier.predict(text));
    }
  });

  test('should save IDF weights and predict identically after load', async () => {
    const f = toModelFile(withIdf);
    expect(f.featureOptions.idf).toBe(true);
    expect(typeof f.idf).toBe('string');
    const path = join(dir, 'idf.json');
    await saveModel(withIdf, path);
    const loaded = await loadModel(path);
    expect(loaded.featureOptions).toEqual(withIdf.featureOptions);
    expect(Buffer.from(loaded.idf!.buffer).equals(Buffer.from(withIdf.idf!.buffer))).toBe(true);
    expect(loaded.card).toEqual(withIdf.card);
    for (const { text } of probes) {
      expect(loaded.predict(text)).toEqual(withIdf.predict(text));
      expect(loaded.features(text)).toEqual(withIdf.features(text));
    }
    expect(evaluateSame(loaded)).toBe(true);
  });

  test('should use the IDF weights when predicting: features differ from plain ones', () => {
    const plain = new Featurizer({ ...withIdf.featureOptions, idf: false });
    const text = toyExamples('en', 1, 15)[0]!.text;
    expect(Array.from(withIdf.features(text).values)).not.toEqual(Array.from(plain.transform(text).values));
  });

  test('should load a file without idf written before the field existed', () => {
    const f = toModelFile(classifier);
    expect(f).not.toHaveProperty('idf');
    const { idf: _drop, ...options } = f.featureOptions;
    const loaded = fromModelFile({ ...f, featureOptions: options });
    expect(loaded.idf).toBeUndefined();
    for (const { text } of probes) expect(loaded.predict(text)).toEqual(classifier.predict(text));
  });

  test('should name idf when it is missing, of the wrong length, or not asked for', () => {
    const f = toModelFile(withIdf);
    const { idf, ...noIdf } = f;
    expect(errorOf(() => fromModelFile(noIdf)).details.map((d) => d.path)).toContain('idf');
    const short = errorOf(() => fromModelFile({ ...f, idf: idf!.slice(0, 100) }));
    expect(short.message).toMatch(/idf: holds 75 bytes/);
    const plain = toModelFile(classifier);
    expect(errorOf(() => fromModelFile({ ...plain, idf })).details.map((d) => d.path)).toContain('idf');
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

/** The loaded IDF model labels the probes exactly as the trained one does. */
function evaluateSame(loaded: ReturnType<typeof fromModelFile>): boolean {
  return probes.every(({ text }) => loaded.predictLabel(text) === withIdf.predictLabel(text));
}
