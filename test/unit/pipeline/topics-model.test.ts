import { describe, expect, test } from 'vitest';
import type { Config } from '../../../config/schema.ts';
import { defaultStages } from '../../../pipeline/stages/index.ts';
import {
  bestThresholds, bundleTopics, ClassifierBundle, mergeTopics, parseTopicLabels, topicModelOf, topicsStage, trainTopicBundle, type MultiLabelExample,
} from '../../../pipeline/stages/topics.ts';
import { mulberry32 } from '../../../pipeline/nlp/classifier/hash.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { config, draft, run } from './helpers.ts';

const FILLER = ['the', 'my', 'today', 'again', 'it', 'was', 'really', 'and', 'so', 'is', 'late', 'refund', 'order', 'phone', 'dead', 'new', 'bought', 'week', 'after', 'a', 'are'];
const VOCAB: Record<string, string[]> = {
  battery: ['battery', 'charge', 'charging', 'drains', 'mah'],
  screen: ['screen', 'display', 'pixels', 'brightness', 'cracked'],
  sound: ['speaker', 'volume', 'audio', 'bass', 'headphones'],
};

/** Hand-made multi-label data: each text speaks of one or two topics (two words each) among random filler; some of none. */
function examples(n: number, seed: number): MultiLabelExample[] {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const ids = Object.keys(VOCAB);
  return Array.from({ length: n }, () => {
    const u = r();
    const first = pick(ids);
    const labels = u < 0.15 ? [] : u < 0.45 ? [first, pick(ids.filter((id) => id !== first))] : [first];
    const words = [pick(FILLER), pick(FILLER), ...labels.flatMap((l) => [pick(VOCAB[l]!), pick(VOCAB[l]!)]), pick(FILLER), pick(FILLER)];
    return { text: words.join(' '), labels };
  });
}

const bundle = trainTopicBundle(examples(600, 1), examples(150, 2), { task: 'topics', logreg: { epochs: 8 }, featureOptions: { bits: 14 } });

describe('topic labels', () => {
  test('reads a JSON array or ids separated by | ; or , and tells an empty cell from "none"', () => {
    expect(parseTopicLabels('["delivery","refund"]')).toEqual(['delivery', 'refund']);
    expect(parseTopicLabels('delivery|refund')).toEqual(['delivery', 'refund']);
    expect(parseTopicLabels(' delivery ; refund;delivery ')).toEqual(['delivery', 'refund']);
    expect(parseTopicLabels('billing,app-website')).toEqual(['billing', 'app-website']);
    expect(parseTopicLabels('[]')).toEqual([]);
    expect(parseTopicLabels('')).toBeNull();
    expect(parseTopicLabels(['a', 'b'])).toEqual(['a', 'b']);
  });
});

describe('one-vs-rest topic model', () => {
  test('has one part per topic and gives every topic a text speaks of, none when it speaks of none', () => {
    expect(bundle.labels).toEqual(['battery', 'screen', 'sound']);
    expect(bundle.kind).toBe('one-vs-rest');
    expect(bundleTopics(bundle, 'the battery drains and the screen is cracked').map((t) => t.id).sort()).toEqual(['battery', 'screen']);
    expect(bundleTopics(bundle, 'my headphones volume').map((t) => t.id)).toEqual(['sound']);
    expect(bundleTopics(bundle, 'the and so it was')).toEqual([]);
    for (const t of bundleTopics(bundle, 'battery screen speaker')) expect(t.score).toBeGreaterThanOrEqual(bundle.thresholds[t.id]!);
  });

  test('tunes each threshold for F1 on the validation examples', () => {
    const fake = { id: 'x', clf: { predict: (t: string) => ({ label: '1', probabilities: { '1': Number(t), '0': 1 - Number(t) } }) } };
    const valid = [
      { text: '0.9', labels: ['x'] }, { text: '0.7', labels: ['x'] }, { text: '0.6', labels: [] }, { text: '0.3', labels: ['x'] }, { text: '0.1', labels: [] },
    ];
    // F1 is best taking the top four (P 3/4, R 1: 0.857 against 0.8 for the top two): halfway between 0.3 and 0.1.
    expect(bestThresholds([fake as never], valid)).toEqual({ x: 0.2 });
    expect(bestThresholds([fake as never], [{ text: '0.4', labels: [] }])).toEqual({ x: 0.5 });
  });

  test('saves and loads to the same topics and version', async () => {
    const t = tempDir();
    try {
      await bundle.save(`${t.dir}/topics.json`);
      const loaded = ClassifierBundle.load(`${t.dir}/topics.json`);
      expect(loaded.version).toBe(bundle.version);
      expect(loaded.thresholds).toEqual(bundle.thresholds);
      expect(bundleTopics(loaded, 'cracked display, weak bass')).toEqual(bundleTopics(bundle, 'cracked display, weak bass'));
    } finally {
      t.cleanup();
    }
  });
});

describe('topics stage with a model', () => {
  test('merges keyword topics with model topics; a topic found by both keeps the higher score', () => {
    expect(mergeTopics([{ id: 'delivery', score: 0.5 }, { id: 'refund', score: 0.75 }], [{ id: 'delivery', score: 0.9 }, { id: 'battery', score: 0.6 }]))
      .toEqual([{ id: 'delivery', score: 0.9 }, { id: 'refund', score: 0.75 }, { id: 'battery', score: 0.6 }]);
  });

  test('keeps the taxonomy keyword topics and adds the model topics, recording both versions', async () => {
    const model = topicModelOf({ en: bundle })!;
    const d = Object.assign(draft({ text: 'The refund is late and the battery drains' }), { lang: 'en' as const });
    const [out] = await run([topicsStage(model)], [d]);
    expect(out!.analysis.topics!.map((t) => t.id).sort()).toEqual(['battery', 'delivery', 'refund']);
    expect(out!.analysis.models).toMatchObject({ topics: `en=${bundle.version}`, topicKeywords: 'keywords-1' });
    const zh = Object.assign(draft({ text: '电池不行' }), { lang: 'zh' as const });
    expect((await run([topicsStage(model)], [zh]))[0]!.analysis.topics).toEqual([]);
  });

  test('the default stages load models.topics from config and refuse a file that is not a topics model', async () => {
    const t = tempDir();
    try {
      const file = `${t.dir}/topics.json`;
      await bundle.save(file);
      const c: Config = { ...config, models: { ...config.models, topics: { en: file } } };
      const [d] = await run(defaultStages(c), [draft({ text: 'The screen is cracked and the speaker volume is dead' })], { config: c, fingerprints: { match: async () => new Map() }, now: new Date() });
      expect(d!.analysis.topics!.map((x) => x.id)).toEqual(expect.arrayContaining(['screen', 'sound']));
      const bad: Config = { ...config, models: { ...config.models, escalation: { en: file } } };
      expect(() => defaultStages(bad)).toThrow(/models\.escalation\.en: .*one-vs-rest model, not a escalation model/);
      const missing: Config = { ...config, models: { ...config.models, topics: { zh: `${t.dir}/nope.json` } } };
      expect(() => defaultStages(missing)).toThrow(/models\.topics\.zh/);
    } finally {
      t.cleanup();
    }
  });
});
