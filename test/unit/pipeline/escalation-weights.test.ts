import { describe, expect, test } from 'vitest';
import type { Config } from '../../../config/schema.ts';
import { combine, escalationStage, type EscalationModel } from '../../../pipeline/stages/escalation.ts';
import { config, draft, run } from './helpers.ts';

const withSignals = (signals: Partial<Config['escalation']['signals']>): Config => ({ ...config, escalation: { ...config.escalation, signals: { ...config.escalation.signals, ...signals } } });
const ctx = (c: Config) => ({ config: c, fingerprints: { match: async () => new Map() }, now: new Date('2025-01-02T00:00:00Z') });

describe('escalation weights', () => {
  test('a scaled negative signal weighs weight × |score|, so a more negative text ranks higher', async () => {
    const c = withSignals({ negative: { weight: 0.5, below: -0.2, scaled: true } });
    const [mild, harsh] = [draft({ text: 'x' }), draft({ text: 'y' })];
    mild.analysis.sentiment = { label: 'negative', score: -0.3, confidence: 0.6 };
    harsh.analysis.sentiment = { label: 'negative', score: -0.9, confidence: 0.9 };
    const out = await run([escalationStage()], [mild, harsh], ctx(c));
    expect(out.map((d) => d.analysis.escalation!.signals.find((s) => s.id === 'negative'))).toEqual([
      { id: 'negative', weight: 0.15, evidence: 'sentiment score -0.3 (at or below -0.2)' },
      { id: 'negative', weight: 0.45, evidence: 'sentiment score -0.9 (at or below -0.2)' },
    ]);
    // Unscaled it is a step: the same weight at any score at or below the threshold.
    const [step] = await run([escalationStage()], [Object.assign(draft({ text: 'z' }), { analysis: { models: {}, sentiment: { label: 'negative' as const, score: -0.5, confidence: 0.7 } } })], ctx(withSignals({ negative: { weight: 0.2, below: -0.4, scaled: false } })));
    expect(step!.analysis.escalation!.signals.find((s) => s.id === 'negative')?.weight).toBe(0.2);
  });

  test('the shipped config scales the negative signal from -0.2 and leaves milder texts out', async () => {
    const texts = [-0.1, -0.5, -1].map((score) => Object.assign(draft({ text: 'z' }), { analysis: { models: {}, sentiment: { label: 'negative' as const, score, confidence: 0.7 } } }));
    const out = await run([escalationStage()], texts, ctx(config));
    expect(out.map((d) => d.analysis.escalation!.signals.find((s) => s.id === 'negative')?.weight)).toEqual([undefined, 0.1, 0.2]);
  });

  test('with a trained model assessing the item the negative signal weighs withModel, without one its weight', async () => {
    const model: EscalationModel = { version: 'm', assess: (_text, lang) => (lang === 'en' ? { risk: 0.001, words: [] } : null) };
    const make = (lang: 'en' | 'zh') => Object.assign(draft({ text: 'z' }), { lang, analysis: { models: {}, sentiment: { label: 'negative' as const, score: -0.5, confidence: 0.7 } } });
    const c = withSignals({ negative: { weight: 0.2, below: -0.2, scaled: true, withModel: 0.1 } });
    const negative = (d: { analysis: { escalation?: { signals: Array<{ id: string; weight: number }> } } }) => d.analysis.escalation!.signals.find((s) => s.id === 'negative')?.weight;
    // English has a model, Chinese has none; without the stage's model neither is assessed.
    const [en, zh] = await run([escalationStage({ model })], [make('en'), make('zh')], ctx(c));
    expect([negative(en!), negative(zh!)]).toEqual([0.05, 0.1]);
    const [plain] = await run([escalationStage()], [make('en')], ctx(c));
    expect(negative(plain!)).toBe(0.1);
    // Absent, the weight holds either way.
    const [same] = await run([escalationStage({ model })], [make('en')], ctx(withSignals({ negative: { weight: 0.2, below: -0.2, scaled: true } })));
    expect(negative(same!)).toBe(0.1);
    expect(config.escalation.signals.negative.withModel).toBe(0.1);
  });

  test('media words count only as a threat to go public, not "social media" or "in other news"', async () => {
    const texts = ['Thanks to your social media team, and in other news my order came', 'Press the button, says your app', 'I will take this to the media and the press'];
    const out = await run([escalationStage()], texts.map((text) => draft({ text })), ctx(config));
    expect(out.map((d) => d.analysis.escalation!.signals.find((s) => s.id === 'media')?.evidence)).toEqual([undefined, undefined, 'mentions "to the media", "the press"']);
  });

  test('the complaint signal is off in the shipped config and weighs weight × probability when on', async () => {
    const make = () => Object.assign(draft({ text: 'The refund never came' }), { analysis: { models: {}, complaint: { is: true, probability: 0.8 } } });
    const [off] = await run([escalationStage()], [make()], ctx(config));
    expect(off!.analysis.escalation!.signals.find((s) => s.id === 'complaint')).toBeUndefined();
    const [on] = await run([escalationStage()], [make()], ctx(withSignals({ complaint: { weight: 0.25 } })));
    expect(on!.analysis.escalation!.signals.find((s) => s.id === 'complaint')).toEqual({ id: 'complaint', weight: 0.2, evidence: 'reads as a complaint (probability 0.8)' });
  });

  test('combine is the noisy-OR of the signal weights, with the level from the configured thresholds', () => {
    const e = combine([{ id: 'a', weight: 0.5, evidence: 'x' }, { id: 'b', weight: 0.4, evidence: 'y' }], config);
    expect(e.score).toBe(0.7);
    expect(e.level).toBe('high');
    expect(combine([], config)).toEqual({ score: 0, level: 'low', signals: [] });
  });
});
