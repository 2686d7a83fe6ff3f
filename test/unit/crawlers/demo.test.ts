import { describe, expect, test } from 'vitest';
import { DemoGenerator, demoItems, type DemoTruth } from '../../../crawlers/demo/generator.ts';
import { SKEWED_SUPPLIER } from '../../../crawlers/demo/catalog.ts';
import { RawItem, type RawItemInput } from '../../../model/index.ts';

const NOW = new Date('2025-03-01T08:00:00Z');
const truth = (item: RawItemInput) => (item.raw as { demo: DemoTruth }).demo;
const HAN = /[\u4e00-\u9fff]/;

describe('DemoGenerator', () => {
  const items = demoItems(20_000, 7, { now: () => NOW });

  test('every item is a valid RawItem from the demo source', () => {
    for (const item of items) {
      const parsed = RawItem.safeParse(item);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(item.source).toEqual({ id: 'demo', kind: 'demo', name: 'Demo data (generated)' });
      expect(item.dimensions?.demo).toBe('true');
    }
    expect(new Set(items.map((i) => i.externalId)).size).toBe(items.length);
  });

  test('the same seed and clock give the same items; another seed gives others', () => {
    const a = new DemoGenerator({ seed: 3, now: () => NOW });
    const b = new DemoGenerator({ seed: 3, now: () => NOW });
    expect(a.next(300)).toEqual(b.next(300));
    expect(a.next(50)).toEqual(b.next(50));
    const c = new DemoGenerator({ seed: 4, now: () => NOW }).next(50);
    expect(c.map((i) => i.text)).not.toEqual(new DemoGenerator({ seed: 3, now: () => NOW }).next(50).map((i) => i.text));
  });

  test('external ids keep counting across calls to next', () => {
    const g = new DemoGenerator({ seed: 9, now: () => NOW });
    const ids = [...g.next(3), ...g.next(2)].map((i) => i.externalId);
    expect(ids).toEqual(['demo-9-1', 'demo-9-2', 'demo-9-3', 'demo-9-4', 'demo-9-5']);
  });

  test('publishes items within the last few minutes of now()', () => {
    const g = new DemoGenerator({ seed: 1, now: () => NOW });
    for (const item of g.next(500)) {
      const age = NOW.getTime() - Date.parse(item.publishedAt);
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThanOrEqual(5 * 60_000);
    }
  });

  test('writes English and Chinese at about the configured share', () => {
    const zh = items.filter((i) => truth(i).lang === 'zh');
    expect(zh.length / items.length).toBeGreaterThan(0.36);
    expect(zh.length / items.length).toBeLessThan(0.44);
    for (const item of zh.filter((i) => i.text)) expect(item.text).toMatch(HAN);
    const mostlyZh = new DemoGenerator({ seed: 2, chineseShare: 0.9, now: () => NOW }).next(2000);
    expect(mostlyZh.filter((i) => truth(i).lang === 'zh').length / 2000).toBeGreaterThan(0.85);
  });

  test('survey answers come from the company with scores in range and a configured touchpoint', () => {
    const surveys = items.filter((i) => i.survey);
    expect(surveys.length).toBeGreaterThan(1000);
    const range = { nps: [0, 10], csat: [1, 5], ces: [1, 7] } as const;
    for (const item of surveys) {
      const s = item.survey!;
      expect(item.initiator).toBe('company');
      expect(item.channel).toBe('survey');
      expect(['delivery', 'checkout', 'support-contact', 'returns']).toContain(s.touchpoint);
      expect(Number.isInteger(s.score)).toBe(true);
      expect(s.score).toBeGreaterThanOrEqual(range[s.metric][0]);
      expect(s.score).toBeLessThanOrEqual(range[s.metric][1]);
    }
    expect(new Set(surveys.map((i) => i.survey!.metric))).toEqual(new Set(['nps', 'csat', 'ces']));
    expect(surveys.some((i) => !i.survey!.comment)).toBe(true);
    for (const item of items.filter((i) => !i.survey)) expect(item.initiator).toBe('customer');
  });

  test('uses every listening channel', () => {
    const channels = new Set(items.map((i) => i.channel));
    for (const c of ['forum', 'social', 'review', 'complaint', 'regulator', 'email', 'chat', 'survey']) expect(channels).toContain(c);
  });

  test('a small share escalates, in both languages', () => {
    const en = /\b(CFPB|BBB|Better Business Bureau|attorney general|lawyer|small claims|reporter|sue)\b/i;
    const zh = /12315|消协|律师|起诉|曝光|黑猫投诉|媒体|记者/;
    const enHits = items.filter((i) => en.test(i.text ?? '')).length;
    const zhHits = items.filter((i) => zh.test(i.text ?? '')).length;
    expect(enHits).toBeGreaterThan(100);
    expect(zhHits).toBeGreaterThan(50);
    expect((enHits + zhHits) / items.length).toBeLessThan(0.15);
  });

  test('a few texts leak contact details for redaction to catch', () => {
    const emails = items.filter((i) => /[\w.]+@[\w.]*example\.(com|cn)/.test(i.text ?? '')).length;
    const phones = items.filter((i) => /1[3-9]\d[ -]?\d{4}[ -]?\d{4}|\(\d{3}\) 555-\d{4}|\d{3}-555-\d{4}/.test(i.text ?? '')).length;
    expect(emails).toBeGreaterThan(20);
    expect(phones).toBeGreaterThan(20);
    expect((emails + phones) / items.length).toBeLessThan(0.1);
  });

  test('one supplier causes a disproportionate share of delivery complaints', () => {
    const delivery = items.filter((i) => ['late-delivery', 'damaged-goods'].includes(truth(i).scenario) && i.dimensions?.supplier);
    const others = items.filter((i) => !['late-delivery', 'damaged-goods'].includes(truth(i).scenario) && i.dimensions?.supplier);
    const share = (list: RawItemInput[]) => list.filter((i) => i.dimensions!.supplier === SKEWED_SUPPLIER).length / list.length;
    expect(new Set(others.map((i) => i.dimensions!.supplier)).size).toBe(6);
    expect(share(delivery)).toBeGreaterThan(2 * share(others));
  });

  test('reach is heavy-tailed: most authors are small, a few have 10k–500k followers', () => {
    const followers = items.map((i) => i.author?.followers).filter((f): f is number => f !== undefined);
    const big = followers.filter((f) => f >= 10_000);
    expect(big.length).toBeGreaterThan(5);
    expect(big.length / followers.length).toBeLessThan(0.03);
    expect(Math.max(...followers)).toBeLessThanOrEqual(500_000);
    expect(followers.filter((f) => f < 1000).length / followers.length).toBeGreaterThan(0.8);
  });

  test('some texts are posted by several authors: reposts and copy-paste campaigns', () => {
    const campaigns = items.filter((i) => truth(i).campaign);
    expect(campaigns.length).toBeGreaterThan(10);
    const texts = new Map<string, Set<string>>();
    for (const i of campaigns) texts.set(truth(i).campaign!, (texts.get(truth(i).campaign!) ?? new Set()).add(i.text!));
    for (const distinct of texts.values()) expect(distinct.size).toBe(1);
    expect(items.some((i) => truth(i).repost && i.threadId)).toBe(true);
  });

  test('texts vary and read at a realistic length', () => {
    const texts = items.map((i) => i.text ?? '').filter(Boolean);
    expect(new Set(texts).size).toBeGreaterThan(10_000);
    const posts = items.filter((i) => !i.survey).map((i) => i.text!.length);
    const inRange = posts.filter((n) => n >= 25 && n <= 400).length;
    expect(inRange / posts.length).toBeGreaterThan(0.85);
    expect(posts.some((n) => n > 500)).toBe(true);
  });
});
