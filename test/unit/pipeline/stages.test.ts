import { describe, expect, test } from 'vitest';
import { Analysis } from '../../../model/index.ts';
import { finish } from '../../../pipeline/draft.ts';
import { defaultStages } from '../../../pipeline/stages/index.ts';
import { config, draft, run } from './helpers.ts';

describe('defaultStages', () => {
  test('runs normalize, language, redact, dedupe, sentiment, topics, touchpoints, escalation in that order', () => {
    expect(defaultStages(config).map((s) => s.name)).toEqual([
      'normalize', 'language', 'redact', 'dedupe', 'sentiment', 'topics', 'touchpoints', 'escalation',
    ]);
  });

  test('fills in a complete, valid analysis for every item, in the same order, with a version per stage', async () => {
    const batch = [
      draft({ text: '<p>My parcel is <b>late</b> again, call me on 13812345678</p>' }),
      draft({ title: '差评', text: '客服态度很差，一直不退款，我要去12315投诉' }),
      draft({ channel: 'survey', initiator: 'company', text: '', survey: { survey: 'nps', touchpoint: 'checkout', metric: 'nps', score: 10 } }),
      draft({ text: 'ok' }),
    ];
    const ids = batch.map((d) => d.id);
    const out = await run(defaultStages(config), batch);
    expect(out.map((d) => d.id)).toEqual(ids);
    for (const d of out) {
      const feedback = finish(d, '2025-01-02T00:00:00.000Z');
      expect(Analysis.safeParse(feedback.analysis).success).toBe(true);
      expect(Object.keys(feedback.analysis.models).sort()).toEqual(
        ['complaint', 'dedupe', 'escalation', 'language', 'normalize', 'redact', 'sentiment', 'topics', 'touchpoints'],
      );
      expect(feedback).not.toHaveProperty('fingerprint');
    }
    expect(out[0]!.text).toBe('My parcel is late again, call me on [phone]');
    expect(out[1]!.lang).toBe('zh');
    expect(out[2]!.analysis.touchpoint).toEqual({ journey: 'purchase', touchpoint: 'checkout' });
    expect(out[2]!.analysis.sentiment!.label).toBe('positive');
  });

  test('gives the same analysis when a batch is processed again', async () => {
    const make = () => [draft({ externalId: 'a', text: 'The refund never arrived and support hung up on me' }), draft({ externalId: 'b', text: '物流太慢了' })];
    const first = await run(defaultStages(config), make());
    const second = await run(defaultStages(config), make());
    expect(second.map((d) => d.analysis)).toEqual(first.map((d) => d.analysis));
  });
});
