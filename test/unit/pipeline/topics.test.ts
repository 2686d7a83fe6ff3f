import { describe, expect, test } from 'vitest';
import { defaultStages } from '../../../pipeline/stages/index.ts';
import { keywordScore, topicsStage, type TopicModel } from '../../../pipeline/stages/topics.ts';
import { config, draft, run } from './helpers.ts';

const topicsOf = async (text: string) => (await run(defaultStages(config), [draft({ text })]))[0]!.analysis.topics!;

describe('topics stage', () => {
  test('is multi-label: a late parcel and a refund are delivery and refund', async () => {
    const topics = await topicsOf('My parcel arrived two weeks late and I am still waiting for the refund.');
    expect(topics.map((t) => t.id)).toEqual(['delivery', 'refund']);
  });

  test('finds Chinese topics by substring', async () => {
    const topics = await topicsOf('快递一直不发货，客服态度很差，要求退款');
    expect(topics.map((t) => t.id).sort()).toEqual(['customer-service', 'delivery', 'refund']);
  });

  test('scores grow with the number of distinct keywords and are sorted highest first', async () => {
    expect([1, 2, 3].map(keywordScore)).toEqual([0.5, 0.75, 0.875]);
    const topics = await topicsOf('The courier lost the package, tracking shows nothing. The app is fine.');
    expect(topics[0]).toEqual({ id: 'delivery', score: 0.875 });
    expect(topics[1]).toEqual({ id: 'app-website', score: 0.5 });
  });

  test('finds nothing in a text about none of the topics', async () => {
    expect(await topicsOf('What a lovely day it is today')).toEqual([]);
  });

  test('a trained model can replace the keyword rules, and its version is recorded', async () => {
    const model: TopicModel = { version: 'clf-7', predict: () => [{ id: 'billing', score: 0.9 }] };
    const [d] = await run([topicsStage(model)], [draft({ text: 'anything' })]);
    expect(d!.analysis.topics).toEqual([{ id: 'billing', score: 0.9 }]);
    expect(d!.analysis.models.topics).toBe('clf-7');
  });
});
