import type { RawItemInput } from '../../model/index.ts';

const EN = [
  'My package was supposed to arrive on Monday and the tracking has not moved in five days.',
  'Customer service kept me on hold for 45 minutes and then hung up. Terrible experience.',
  'Great app, checkout was quick and the delivery arrived a day early. Very happy!',
  'I was charged twice for the same order and nobody answers my emails about the refund.',
  'The blender arrived damaged and the return process is a nightmare.',
];
const ZH = [
  '快递三天了还没到，客服态度很差，要求退款。',
  '理赔速度太慢了，材料交了一个月都没有消息。',
  '客服态度很差，打了五次电话都没人管。',
  '东西很好，物流很快，非常满意，好评！',
  'app一直闪退，登录不了，付款页面打不开。',
];
const CHANNELS = ['forum', 'social', 'review', 'complaint', 'email', 'chat'] as const;

/** Deterministic, valid raw items with unique external ids, for API and pipeline tests. */
export function makeItems(n: number, opts: { prefix?: string; source?: string; start?: number } = {}): RawItemInput[] {
  const prefix = opts.prefix ?? 'item';
  const start = opts.start ?? 0;
  const base = Date.UTC(2025, 2, 1);
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    const zh = i % 5 === 2 || i % 5 === 4;
    const texts = zh ? ZH : EN;
    return {
      source: { id: opts.source ?? 'test', kind: 'api' },
      channel: CHANNELS[i % CHANNELS.length]!,
      externalId: `${prefix}-${i}`,
      text: `${texts[i % texts.length]} #${prefix}x${i}`,
      publishedAt: new Date(base + i * 37_000).toISOString(),
      author: { handle: `user${i % 97}`, followers: (i * 13) % 5000 },
      dimensions: { supplier: `S${i % 6}`, region: i % 2 ? 'north' : 'south' },
    };
  });
}
