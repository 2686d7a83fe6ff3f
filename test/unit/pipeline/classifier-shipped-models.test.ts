import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { complaintFromClassifiers, loadConfiguredModels, resolveModelPath, sentimentFromClassifiers } from '../../../pipeline/nlp/classifier/adapters.ts';
import { loadModelSync, trainClassifier } from '../../../pipeline/nlp/classifier/index.ts';
import { ruleComplaint } from '../../../pipeline/nlp/complaint.ts';
import { lexiconSentiment } from '../../../pipeline/nlp/sentiment.ts';
import { DEFAULT_MODEL_FILES } from '../../../scripts/model-specs.ts';
import { toyExamples } from './classifier/toy-data.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('the models shipped in models/', () => {
  test('load through the config with paths relative to the project root, from any working directory', () => {
    const cwd = process.cwd();
    try {
      process.chdir(join(ROOT, 'test'));
      // From test/, "models/…" does not exist relative to the working directory: the install root is used.
      expect(existsSync(DEFAULT_MODEL_FILES.sentimentEn)).toBe(false);
      expect(resolveModelPath(DEFAULT_MODEL_FILES.sentimentEn)).toBe(join(ROOT, DEFAULT_MODEL_FILES.sentimentEn));
      const models = loadConfiguredModels({
        sentiment: { en: DEFAULT_MODEL_FILES.sentimentEn, zh: DEFAULT_MODEL_FILES.sentimentZh },
        complaint: { en: DEFAULT_MODEL_FILES.complaintEn },
      } as Parameters<typeof loadConfiguredModels>[0]);
      expect(models.sentiment.en?.labels).toEqual(['negative', 'neutral', 'positive']);
      expect(models.sentiment.zh?.labels).toEqual(['0', '1']);
      expect(models.complaint.en?.labels).toEqual(['0', '1']);
      const sentiment = sentimentFromClassifiers(models.sentiment, lexiconSentiment);
      expect(sentiment.score('@united worst airline ever, lost my bag and nobody helps', 'en').label).toBe('negative');
      expect(sentiment.score('@JetBlue thank you so much, the crew was amazing!', 'en').label).toBe('positive');
      expect(sentiment.score('酒店服务很好，房间干净，下次还来', 'zh').label).toBe('positive');
      expect(sentiment.score('太难吃了，送餐慢，再也不点了', 'zh').label).toBe('negative');
      const complaint = complaintFromClassifiers(models.complaint, ruleComplaint);
      const input = (text: string) => ({ text, lang: 'en' as const, sentiment: sentiment.score(text, 'en'), channel: 'social' as const, surveyBand: null });
      expect(complaint.predict(input('@AmazonHelp my package never arrived and I was charged twice, fix this now')).is).toBe(true);
      expect(complaint.predict(input('@AmazonHelp thanks, love the new app!')).is).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });

  test('each card says what the model learned from, on what terms, its held-out scores and how to rebuild it', () => {
    for (const file of Object.values(DEFAULT_MODEL_FILES)) {
      const card = loadModelSync(join(ROOT, file)).card!;
      expect(card.sources?.length, file).toBeGreaterThan(0);
      for (const s of card.sources!) expect(s.licence, `${file} ${s.file}`).toBeTruthy();
      expect(card.command).toBe('node --import tsx scripts/build-models.ts');
      expect(card.terms).toBeTruthy();
      expect(card.metrics.accuracy).toBeGreaterThan(0.8);
    }
    // The airline tweets are CC BY-NC-SA: the English sentiment weights say they inherit that.
    expect(loadModelSync(join(ROOT, DEFAULT_MODEL_FILES.sentimentEn)).card!.terms).toMatch(/non-commercial/);
  });
});

describe('pipeline adapters', () => {
  test('two models with the same features share one featurization and score as they would alone', () => {
    const train = toyExamples('en', 300, 5);
    const a = trainClassifier(train, { task: 'sentiment', featureOptions: { bits: 12 }, logreg: { epochs: 2 } });
    const b = trainClassifier(train.map((e) => ({ ...e, label: e.label === 'negative' ? 'complaint' : 'not_complaint' })), { task: 'complaint', featureOptions: { bits: 12 }, logreg: { epochs: 2 } });
    const c = trainClassifier(train, { task: 'sentiment', featureOptions: { bits: 12, idf: true }, logreg: { epochs: 2 } });
    for (const { text } of toyExamples('en', 30, 6)) {
      // Alone: features straight from each model's featurizer.
      const alone = [a, b, c].map((m) => m.predict(text).probabilities);
      // Interleaved: the second model reuses the first one's vector, the IDF model does not.
      const shared = [a, b, c].map((m) => Object.fromEntries(m.labels.map((l, k) => [l, m.probabilities(text)[k]!])));
      expect(shared).toEqual(alone);
      expect(a.features(text)).toEqual(b.features(text));
    }
  });
});
