import { describe, expect, test } from 'vitest';
import type { Config } from '../../../config/schema.ts';
import type { EscalationSignal } from '../../../model/index.ts';
import { escalationStage, type EscalationModel } from '../../../pipeline/stages/escalation.ts';
import { topicsStage } from '../../../pipeline/stages/topics.ts';
import { config, context, draft, run } from './helpers.ts';

const withSignals = (signals: Partial<Config['escalation']['signals']>): Config => ({ ...config, escalation: { ...config.escalation, signals: { ...config.escalation.signals, ...signals } } });

/** The escalation signals of each text, read with the given sentiment score (no trained model). */
async function signalsOf(texts: readonly string[], score = -0.8, c: Config = config, model?: EscalationModel): Promise<EscalationSignal[][]> {
  const batch = texts.map((text) => Object.assign(draft({ text }), { analysis: { models: {}, sentiment: { label: score < 0 ? 'negative' as const : 'positive' as const, score, confidence: 0.9 } } }));
  const out = await run([escalationStage(model ? { model } : {})], batch, context({ config: c }));
  return out.map((d) => d.analysis.escalation!.signals);
}
const find = (signals: readonly EscalationSignal[], id: string) => signals.find((s) => s.id === id);
/** `addressed` ships off (weight 0); these tests switch it on. */
const addressedOn = withSignals({ addressed: { ...config.escalation.signals.addressed, weight: 1 } });

describe('hostility signals', () => {
  test('accusations in English and Chinese, quoted, weighing the configured weight × |sentiment|', async () => {
    const [en, zh] = await signalsOf(['You scammed me, liars, I was totally ripped off', '你们就是骗子，太坑了'], -0.8, addressedOn);
    const w = config.escalation.signals.accusation.weight;
    expect(find(en!, 'accusation')).toEqual({ id: 'accusation', weight: w * 0.8, evidence: `mentions "scammed", "liars", "ripped off" (weight ${w} × sentiment score -0.8)` });
    expect(find(zh!, 'accusation')?.evidence).toBe(`mentions "骗子", "太坑了" (weight ${w} × sentiment score -0.8)`);
    expect(find(zh!, 'addressed')?.evidence).toMatch(/^mentions "你们"/);
  });

  test('insults, demands and shouting each make their own signal with the words behind them', async () => {
    const [insult, demand, zhDemand, shouting] = await signalsOf([
      'Worst customer service ever, you are incompetent',
      'I want my money back',
      '还钱！我要投诉到底',
      '@UNITED_HELP WHERE IS MY LUGGAGE, THREE DAYS NOW???',
    ]);
    expect(find(insult!, 'insult')?.evidence).toMatch(/^mentions "Worst customer service", "incompetent" \(/);
    expect(find(demand!, 'demand')?.evidence).toMatch(/^mentions "my money back" \(/);
    expect(find(zhDemand!, 'demand')?.evidence).toMatch(/^mentions "还钱", "投诉到底" \(/);
    // The handle is no shouting, however it is spelt.
    expect(find(shouting!, 'shouting')?.evidence).toMatch(/^writes in capitals \("WHERE", "LUGGAGE", "THREE", "DAYS", "NOW"\); "\?\?\?" \(/);
  });

  test('innocent uses do not count: a scam call, "not your fault", fraud alerts, 谨防诈骗', async () => {
    const out = await signalsOf([
      'Got a scam call pretending to be your bank, is this number yours?',
      'It was not your fault, the courier lost it',
      'Your fraud team blocked the card, thanks',
      '谨防诈骗电话',
      'Stealing the show: the new menu is great',
    ]);
    expect(out.map((s) => find(s, 'accusation'))).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  test('words that need a grievance count for nothing in a happy text, or with no sentiment and no model', async () => {
    const [happy] = await signalsOf(['Thank you so much!!! You are AMAZING PEOPLE, REALLY'], 0.9);
    expect(happy!.map((s) => s.id)).toEqual([]);
    const [unread] = await run([escalationStage()], [draft({ text: 'You scammed me!!!' })]);
    expect(unread!.analysis.escalation!.signals).toEqual([]);
  });

  test('each weight comes from the config, and weight 0 turns a signal off', async () => {
    const c = withSignals({ accusation: { ...config.escalation.signals.accusation, weight: 0.25 }, addressed: { ...config.escalation.signals.addressed, weight: 0 } });
    const [s] = await signalsOf(['You thieves stole my deposit'], -0.4, c);
    expect(find(s!, 'accusation')).toEqual({ id: 'accusation', weight: 0.1, evidence: 'mentions "thieves", "stole" (weight 0.25 × sentiment score -0.4)' });
    expect(find(s!, 'addressed')).toBeUndefined();
  });

  test('with a trained model the model risk scales them, whatever the sentiment', async () => {
    const model: EscalationModel = { version: 'fixed', assess: () => ({ risk: 0.6, words: [] }) };
    const [s] = await signalsOf(['Your staff lied to me'], 0.5, addressedOn, model);
    const w = addressedOn.escalation.signals.addressed.weight;
    expect(find(s!, 'addressed')).toEqual({ id: 'addressed', weight: Math.round(w * 0.6 * 1000) / 1000, evidence: `mentions "Your" (weight ${w} × model risk 0.6)` });
    expect(find(s!, 'accusation')?.evidence).toMatch(/^mentions "lied to" \(weight [\d.]+ × model risk 0\.6\)$/);
  });

  test('an except phrase takes back only its own signal\'s word', async () => {
    // "not your fault" clears the accusation "your fault", not the "your" that addresses the company.
    const [s] = await signalsOf(['It was not your fault'], -0.8, addressedOn);
    expect(find(s!, 'accusation')).toBeUndefined();
    expect(find(s!, 'addressed')?.evidence).toMatch(/^mentions "your" \(/);
  });

  test('topics and hostility are read from the same text by the same keywords', async () => {
    const batch = [Object.assign(draft({ text: 'Refund me now, you scammers charged me twice' }), { analysis: { models: {}, sentiment: { label: 'negative' as const, score: -0.8, confidence: 0.9 } } })];
    const [d] = await run([topicsStage(), escalationStage()], batch);
    expect(d!.analysis.topics!.length).toBeGreaterThan(0);
    expect(find(d!.analysis.escalation!.signals, 'accusation')?.evidence).toMatch(/^mentions "scammers" \(/);
    expect(find(d!.analysis.escalation!.signals, 'demand')?.evidence).toMatch(/^mentions "Refund me" \(/);
  });

  test('capitals: distinct words of three letters or more, apostrophes inside, handles and short words aside', async () => {
    const need = config.escalation.signals.shouting.capsWords;
    expect(need).toBe(3);
    const [apostrophes, repeated, handles, short, joined] = await signalsOf([
      "I DON'T CARE, CAN'T WAIT, fix it",
      'NEVER NEVER NEVER again',
      '@DELTA #FAIL what a DAY today',
      'OK OK NO WAY',
      'HTTPS://WWW.EXAMPLE.COM IS DOWN',
    ]);
    expect(find(apostrophes!, 'shouting')?.evidence).toMatch(/^writes in capitals \("DON'T", "CARE", "CAN'T", "WAIT"\) \(/);
    expect(find(repeated!, 'shouting')).toBeUndefined();
    expect(find(handles!, 'shouting')).toBeUndefined();
    expect(find(short!, 'shouting')).toBeUndefined();
    expect(find(joined!, 'shouting')).toBeUndefined();
  });

  test('every signal of a high or critical item carries evidence', async () => {
    const model: EscalationModel = { version: 'fixed', assess: () => ({ risk: 0.9, words: [] }) };
    const batch = ['YOU ARE THIEVES AND LIARS, I WANT MY MONEY BACK!!!', '你们这个垃圾公司就是骗子，还钱！！！'].map((text) => draft({ text }));
    const out = await run([escalationStage({ model })], batch);
    for (const d of out) {
      expect(['high', 'critical']).toContain(d.analysis.escalation!.level);
      for (const s of d.analysis.escalation!.signals) expect(s.evidence.trim()).not.toBe('');
    }
  });
});
