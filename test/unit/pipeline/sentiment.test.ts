import { describe, expect, test } from 'vitest';
import type { Lang } from '../../../model/index.ts';
import { ruleComplaint } from '../../../pipeline/nlp/complaint.ts';
import { lexiconSentiment } from '../../../pipeline/nlp/sentiment.ts';
import { languageStage } from '../../../pipeline/stages/language.ts';
import { normalizeStage } from '../../../pipeline/stages/normalize.ts';
import { sentimentStage } from '../../../pipeline/stages/sentiment.ts';
import { draft, run } from './helpers.ts';

const score = (text: string, lang: Lang = 'en') => lexiconSentiment.score(text, lang);
const STAGES = [normalizeStage(), languageStage(), sentimentStage()];

describe('lexicon sentiment', () => {
  test.each([
    ['The delivery was not good', 'negative'],
    ['Customer service was rude and I waited on hold for an hour', 'negative'],
    ['Still waiting for my refund, this is a scam', 'negative'],
    ['The package never arrived', 'negative'],
    ['Great support, very fast shipping, thank you!', 'positive'],
    ['I ordered a blue jacket on Monday', 'neutral'],
  ])('English: "%s" is %s', (text, label) => {
    expect(score(text).label).toBe(label);
  });

  test('"not bad at all, fast refund" is not negative', () => {
    expect(score('not bad at all, fast refund').label).not.toBe('negative');
  });

  test('a negation governs one sentiment word: "not good and slow" stays negative about the slowness', () => {
    expect(score('The app is not good and slow').score).toBeLessThan(score('The app is not good').score);
  });

  test('intensifiers strengthen: "very slow" is more negative than "slow", "slightly slow" less', () => {
    expect(score('very slow').score).toBeLessThan(score('slow').score);
    expect(score('slightly slow').score).toBeGreaterThan(score('slow').score);
  });

  test('the clause after "but" outweighs the one before', () => {
    expect(score('The agent was friendly but the refund never arrived').label).toBe('negative');
    expect(score('Delivery was late but the support team was amazing').label).toBe('positive');
  });

  test('inflections match by stem: "delays", "crashed", "hated"', () => {
    for (const t of ['constant delays', 'the app crashed', 'hated it']) expect(score(t).label).toBe('negative');
    expect(score('please help').label).toBe('neutral');
  });

  test.each([
    ['客服态度很差', 'negative'],
    ['非常满意', 'positive'],
    ['不满意', 'negative'],
    ['快递迟迟不发货，我要退款', 'negative'],
    ['质量不好', 'negative'],
    ['东西收到了，物流很快，好评！', 'positive'],
    ['骗子，垃圾商家', 'negative'],
    ['客服不是很耐心', 'negative'],
    ['我昨天下了一个订单', 'neutral'],
  ])('Chinese: "%s" is %s', (text, label) => {
    expect(score(text, 'zh').label).toBe(label);
  });

  test('"没有问题" is not negative and "好几天" is not praise', () => {
    expect(score('没有问题', 'zh').label).not.toBe('negative');
    expect(score('等了好几天', 'zh').label).not.toBe('positive');
  });

  test('好 before an adjective intensifies it: 好慢 is more negative than 慢', () => {
    expect(score('好慢', 'zh').score).toBeLessThan(score('慢', 'zh').score);
  });

  test('scores stay within −1…1 with a confidence between 0 and 1, higher with more evidence', () => {
    const strong = score('terrible, awful, worst service ever, a scam, never again');
    expect(strong.score).toBeGreaterThanOrEqual(-1);
    expect(strong.confidence).toBeLessThanOrEqual(1);
    expect(strong.confidence).toBeGreaterThan(score('slow').confidence);
    expect(score('nothing to say').confidence).toBeGreaterThan(0);
  });
});

describe('sentiment stage', () => {
  test('sets sentiment and complaint and records both model versions', async () => {
    const [d] = await run(STAGES, [draft({ text: 'I was charged twice and want a refund now!' })]);
    expect(d!.analysis.sentiment!.label).toBe('negative');
    expect(d!.analysis.complaint).toEqual({ is: true, probability: expect.any(Number) });
    expect(d!.analysis.complaint!.probability).toBeGreaterThanOrEqual(0.5);
    expect(d!.analysis.models).toMatchObject({ sentiment: 'lexicon-1', complaint: 'rules-1' });
  });

  test.each([
    [2, 'negative'],
    [6, 'negative'],
    [7, 'neutral'],
    [8, 'neutral'],
    [9, 'positive'],
    [10, 'positive'],
  ])('an NPS answer of %i without text is %s', async (value, label) => {
    const [d] = await run(STAGES, [draft({ channel: 'survey', initiator: 'company', text: '', survey: { survey: 'nps', metric: 'nps', score: value } })]);
    expect(d!.analysis.sentiment!.label).toBe(label);
  });

  test('a low survey score outweighs a polite comment', async () => {
    const [d] = await run(STAGES, [draft({ channel: 'survey', text: 'thanks for asking', survey: { survey: 'nps', metric: 'nps', score: 1 } })]);
    expect(d!.analysis.sentiment!.label).toBe('negative');
  });

  test('CSAT and CES use their own thresholds', async () => {
    const [csatLow, csatHigh, cesLow] = await run(STAGES, [
      draft({ channel: 'survey', text: '', survey: { survey: 'c', metric: 'csat', score: 2 } }),
      draft({ channel: 'survey', text: '', survey: { survey: 'c', metric: 'csat', score: 5 } }),
      draft({ channel: 'survey', text: '', survey: { survey: 'e', metric: 'ces', score: 2 } }),
    ]);
    expect(csatLow!.analysis.sentiment!.label).toBe('negative');
    expect(csatHigh!.analysis.sentiment!.label).toBe('positive');
    expect(cesLow!.analysis.sentiment!.label).toBe('negative');
  });

  test('reads a survey comment that is not in the text', async () => {
    const [d] = await run(STAGES, [draft({ channel: 'survey', text: '', survey: { survey: 's', metric: 'nps', score: 8, comment: 'The agent was rude and useless' } })]);
    expect(d!.analysis.sentiment!.score).toBeLessThan(0);
  });
});

describe('complaint rules', () => {
  const complaint = (text: string, channel: 'social' | 'complaint' = 'social', lang: Lang = 'en') =>
    ruleComplaint.predict({ text, lang, sentiment: lexiconSentiment.score(text, lang), channel, surveyBand: null });

  test('a negative text about a problem or with a demand is a complaint', () => {
    expect(complaint('My parcel never arrived and I want my money back').is).toBe(true);
    expect(complaint('快递迟迟不发货，客服态度很差，我要退款', 'social', 'zh').is).toBe(true);
  });

  test('a negative opinion without a problem is not a complaint; praise never is', () => {
    expect(complaint('I just do not like the new logo, it is ugly and bad').is).toBe(false);
    expect(complaint('Thanks for the fast refund, great service').is).toBe(false);
  });

  test('the complaint channel makes a negative text a complaint with higher probability', () => {
    const onSocial = complaint('This is terrible', 'social');
    const inInbox = complaint('This is terrible', 'complaint');
    expect(inInbox.is).toBe(true);
    expect(inInbox.probability).toBeGreaterThan(onSocial.probability);
  });

  test('the stages, matching the cues with the config keywords, decide as the rules do on their own', async () => {
    const texts = ['My parcel never arrived and I want my money back', '客服推诿，我要投诉并要求赔偿', 'lovely day', 'I will sue, this is a scam'];
    const out = await run(STAGES, texts.map((text) => draft({ text })));
    out.forEach((d, i) => expect(d.analysis.complaint).toEqual(complaint(texts[i]!, 'social', d.lang)));
  });

  test('the probability is on the side of the decision', () => {
    for (const t of ['great', 'terrible refund delay', 'ok', 'I will sue you, scam']) {
      const c = complaint(t);
      expect(c.is ? c.probability >= 0.5 : c.probability < 0.5).toBe(true);
    }
  });
});
