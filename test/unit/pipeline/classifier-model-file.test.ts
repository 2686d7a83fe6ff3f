import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ValidationError } from '../../../model/index.ts';
import { fromModelFile, loadModel, loadModelSync, quantizeInt8, saveModel, toModelFile, trainClassifier } from '../../../pipeline/nlp/classifier/index.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { toyExamples } from './classifier/toy-data.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const train = [...toyExamples('en', 200, 21), ...toyExamples('zh', 200, 22)];
const clf = trainClassifier(train, { task: 'sentiment', featureOptions: { bits: 12, enLexicon: true }, logreg: { epochs: 3 } });
const probes = [...toyExamples('en', 40, 23), ...toyExamples('zh', 40, 24)].map((e) => e.text);

describe('int8 weights and gzipped model files', () => {
  test('an int8 file loads as exactly the quantised model, at a quarter of the weight bytes', () => {
    const q = quantizeInt8(clf);
    const f32 = toModelFile(clf);
    const i8 = toModelFile(clf, { int8: true });
    expect(i8.weightsEncoding).toBe('int8');
    expect(i8.weightScales).toHaveLength(clf.labels.length);
    expect(i8.weights.length).toBeLessThan(f32.weights.length / 3);
    const loaded = fromModelFile(JSON.parse(JSON.stringify(i8)));
    expect(Array.from(loaded.model.weights)).toEqual(Array.from(q.model.weights));
    // Rounding moves weights by at most half a step; the labels stay those of the full model here.
    const step = Math.max(...i8.weightScales!);
    for (let j = 0; j < clf.model.weights.length; j++) expect(Math.abs(loaded.model.weights[j]! - clf.model.weights[j]!)).toBeLessThanOrEqual(step / 2 + 1e-7);
    expect(probes.map((t) => loaded.predictLabel(t))).toEqual(probes.map((t) => clf.predictLabel(t)));
  });

  test('a .gz path is written gzipped and read back by loadModel and loadModelSync alike', async () => {
    const path = join(tmp.dir, 'm.json.gz');
    await saveModel(clf, path, { int8: true });
    const bytes = readFileSync(path);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const a = await loadModel(path);
    const b = loadModelSync(path);
    expect(probes.map((t) => a.predict(t))).toEqual(probes.map((t) => b.predict(t)));
    expect(a.card?.version).toBe(clf.card?.version);
  });

  test('plain Float32 JSON files, as written before, still load under any name', async () => {
    const path = join(tmp.dir, 'old.json');
    const old = toModelFile(clf);
    expect(old.weightsEncoding).toBeUndefined();
    writeFileSync(path, JSON.stringify(old));
    const loaded = loadModelSync(path);
    expect(probes.map((t) => loaded.predict(t))).toEqual(probes.map((t) => clf.predict(t)));
  });

  test('inconsistent encodings are errors naming the field', () => {
    const i8 = toModelFile(clf, { int8: true });
    const fields = (json: unknown) => {
      try {
        fromModelFile(json);
      } catch (err) {
        if (err instanceof ValidationError) return err.details.map((d) => d.path);
        throw err;
      }
      return [];
    };
    expect(fields({ ...i8, weightScales: [1] })).toContain('weightScales');
    expect(fields({ ...i8, weightsEncoding: undefined })).toContain('weights');
    expect(fields({ ...toModelFile(clf), weightScales: [1, 1] })).toContain('weightScales');
  });

  test('a broken gzip file is a validation error naming the file', () => {
    const path = join(tmp.dir, 'broken.json.gz');
    writeFileSync(path, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    expect(() => loadModelSync(path)).toThrow(/broken\.json\.gz is not valid gzip/);
  });
});
