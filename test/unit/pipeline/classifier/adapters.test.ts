import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../../config/load.ts';
import { ConfigError, RawItem } from '../../../../model/index.ts';
import { saveModel } from '../../../../pipeline/nlp/classifier/model-file.ts';
import { trainClassifier } from '../../../../pipeline/nlp/classifier/train.ts';
import { PipelineRunner } from '../../../../pipeline/runner.ts';
import { defaultStages } from '../../../../pipeline/stages/index.ts';
import { tempDir } from '../../../helpers/tmp.ts';
import { toyExamples } from './toy-data.ts';

const item = (externalId: string, text: string) => RawItem.parse({
  source: { id: 't', kind: 'test' }, channel: 'review', externalId, text, publishedAt: '2025-03-01T00:00:00Z',
});

describe('trained models in the pipeline', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  test('a sentiment model named in config scores its language; other languages keep the lexicon', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'sentiment-en.json');
    await saveModel(trainClassifier(toyExamples('en', 400, 3), { task: 'sentiment' }), file);
    const config = loadConfig({ env: {}, overrides: { sources: [], models: { sentiment: { en: file, zh: undefined } } } });
    const runner = new PipelineRunner({ config, stages: defaultStages(config), fingerprints: { match: async () => new Map() } });

    const tests = toyExamples('en', 60, 99);
    const out = await runner.process([...tests.map((e, i) => item(`en-${i}`, e.text)), item('zh-1', '客服态度很差，非常失望')], new Date().toISOString());
    const en = out.slice(0, tests.length);
    const correct = en.filter((f, i) => f.analysis.sentiment.label === tests[i]!.label).length;
    expect(correct / tests.length).toBeGreaterThan(0.9);
    // The version names the model per language, so every analysed item says what produced it.
    expect(en[0]!.analysis.models.sentiment).toMatch(/^en=textclf-1:sentiment:[0-9a-f]+;else=lexicon-1$/);
    expect(out.at(-1)!.analysis.sentiment.label).toBe('negative');
  });

  test('a missing or unsuitable model file is a configuration error naming the setting', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const topics = join(t.dir, 'topics.json');
    await saveModel(trainClassifier([...toyExamples('en', 40, 1)].map((e, i) => ({ ...e, label: i % 2 ? 'billing' : 'delivery' })), { task: 'topics' }), topics);
    const broken = join(t.dir, 'broken.json');
    writeFileSync(broken, '{"format": 1');
    const config = loadConfig({ env: {}, overrides: { sources: [], models: { sentiment: { en: join(t.dir, 'nope.json'), zh: topics }, complaint: { en: broken } } } });
    let error: unknown;
    try { defaultStages(config); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).details.map((d) => d.path);
    expect(paths).toEqual(['models.sentiment.en', 'models.sentiment.zh', 'models.complaint.en']);
    expect((error as ConfigError).message).toContain('labels billing, delivery mean nothing for sentiment');
  });
});
