import { describe, expect, test } from 'vitest';
import type { RawItemInput } from '../../../model/index.ts';
import { defaultStages } from '../../../pipeline/stages/index.ts';
import { config, draft, run } from './helpers.ts';

const escalationOf = async (input: Partial<RawItemInput>) => (await run(defaultStages(config), [draft(input)]))[0]!.analysis.escalation!;
const signal = (e: { signals: Array<{ id: string; evidence: string }> }, id: string) => e.signals.find((s) => s.id === id);

describe('escalation stage', () => {
  test('a CFPB complaint plus a lawyer is high or critical, with regulator and legal evidence naming the words', async () => {
    const e = await escalationOf({ text: 'I will file a complaint with the CFPB and call my lawyer' });
    expect(['high', 'critical']).toContain(e.level);
    expect(signal(e, 'regulator')?.evidence).toBe('mentions "file a complaint with", "CFPB"');
    expect(signal(e, 'legal')?.evidence).toBe('mentions "lawyer"');
    // The score is the noisy-OR of every signal's weight (regulator 0.55 and legal 0.5 among them).
    expect(signal(e, 'regulator')).toMatchObject({ weight: 0.55 });
    expect(signal(e, 'legal')).toMatchObject({ weight: 0.5 });
    expect(e.score).toBeCloseTo(1 - e.signals.reduce((p, s) => p * (1 - (s as unknown as { weight: number }).weight), 1), 3);
  });

  test('"我要去12315投诉，还要找媒体曝光" is high or critical with regulator and media evidence', async () => {
    const e = await escalationOf({ text: '我要去12315投诉，还要找媒体曝光' });
    expect(['high', 'critical']).toContain(e.level);
    expect(signal(e, 'regulator')?.evidence).toContain('"12315"');
    expect(signal(e, 'media')?.evidence).toContain('"曝光"');
  });

  test('an NPS score of 2 raises the critical-score signal with the score as evidence', async () => {
    const e = await escalationOf({ channel: 'survey', initiator: 'company', text: '', survey: { survey: 'nps', metric: 'nps', score: 2 } });
    expect(signal(e, 'criticalScore')?.evidence).toBe('NPS score 2 (critical at or below 3)');
    expect(signal(e, 'lowScore')).toBeUndefined();
    expect(e.level).not.toBe('low');
  });

  test('an NPS score of 5 raises the low-score signal', async () => {
    const e = await escalationOf({ channel: 'survey', text: '', survey: { survey: 'nps', metric: 'nps', score: 5 } });
    expect(signal(e, 'lowScore')?.evidence).toBe('NPS score 5 (low at or below 6)');
    expect(signal(e, 'criticalScore')).toBeUndefined();
  });

  test('a happy post is low with no signals', async () => {
    expect(await escalationOf({ text: 'Love the new app, delivery was quick and the team was lovely. Thank you!' })).toEqual({ score: 0, level: 'low', signals: [] });
  });

  test('reach and virality carry the facts as evidence', async () => {
    const e = await escalationOf({
      text: 'Still waiting for my refund, this company is a joke',
      author: { handle: '@big', followers: 52_000 },
      engagement: { likes: 180, shares: 40, replies: 12 },
    });
    expect(signal(e, 'reach')?.evidence).toBe('author has 52,000 followers (threshold 10,000)');
    expect(signal(e, 'virality')?.evidence).toBe('180 likes, 40 shares, 12 replies (232 ≥ 200)');
  });

  test('strongly negative sentiment is a signal with its score', async () => {
    const e = await escalationOf({ text: 'Worst company ever. Rude staff, broken product, total scam. Disgusting.' });
    expect(signal(e, 'negative')?.evidence).toMatch(/^sentiment score -0\.\d+ \(at or below -0\.2\)$/);
  });

  test('churn words in English and Chinese', async () => {
    expect(signal(await escalationOf({ text: 'Please cancel my subscription, I am switching to another bank' }), 'churn')?.evidence).toBe(
      'mentions "cancel my subscription", "switching to"',
    );
    expect(signal(await escalationOf({ text: '再也不买了，已经销户' }), 'churn')?.evidence).toBe('mentions "再也不买", "销户"');
  });

  test('an item from a regulator channel carries the regulator signal', async () => {
    const e = await escalationOf({ channel: 'regulator', source: { id: 'cfpb-portal', kind: 'cfpb', name: 'CFPB portal' }, text: 'Consumer reports an issue with a card fee.' });
    expect(signal(e, 'regulator')?.evidence).toBe('filed through a regulator channel (CFPB portal)');
  });

  test('every high or critical item carries a signal with non-empty evidence', async () => {
    const texts = [
      'I will sue you in small claims court and report you to the BBB and the attorney general',
      '律师函已经发出，准备起诉，同时向消协和黑猫投诉，还要找记者曝光',
      'Reporter here: we are covering the lawsuit, cancel my account',
      '',
    ];
    const batch = texts.map((text, i) =>
      draft({
        text,
        author: { followers: 50_000 * i },
        engagement: { likes: 300 },
        ...(text ? {} : { channel: 'survey' as const, survey: { survey: 's', metric: 'csat' as const, score: 1 } }),
      }),
    );
    const out = await run(defaultStages(config), batch);
    const severe = out.filter((d) => ['high', 'critical'].includes(d.analysis.escalation!.level));
    expect(severe.length).toBeGreaterThanOrEqual(3);
    for (const d of severe) {
      expect(d.analysis.escalation!.signals.length).toBeGreaterThan(0);
      for (const s of d.analysis.escalation!.signals) expect(s.evidence.length).toBeGreaterThan(0);
    }
  });
});
