import { mulberry32 } from '../../../../pipeline/nlp/classifier/hash.ts';
import type { Example } from '../../../../pipeline/nlp/classifier/index.ts';

const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;

const EN = {
  filler: ['the', 'my', 'order', 'flight', 'service', 'today', 'again', 'was', 'and', 'staff', 'app'],
  positive: ['great', 'love', 'excellent', 'thanks', 'wonderful', 'helpful', 'fast'],
  negative: ['terrible', 'awful', 'broken', 'rude', 'delayed', 'worst', 'refund'],
};
const ZH = {
  filler: ['这个', '我们', '今天', '酒店', '外卖', '东西', '还是', '服务'],
  positive: ['很好', '满意', '推荐', '干净', '好吃', '喜欢', '快速'],
  negative: ['太差', '失望', '难吃', '投诉', '退款', '生气', '很慢'],
};

/** Separable toy sentiment: each text has 2 sentiment words of its class among random filler. */
export function toyExamples(lang: 'en' | 'zh', n: number, seed = 1): Example[] {
  const v = lang === 'en' ? EN : ZH;
  const r = mulberry32(seed);
  const sep = lang === 'en' ? ' ' : '';
  return Array.from({ length: n }, (_, i) => {
    const label = i % 2 === 0 ? 'positive' : 'negative';
    const words = [pick(v.filler, r), pick(v[label], r), pick(v.filler, r), pick(v[label], r), pick(v.filler, r)];
    return { text: words.join(sep), label };
  });
}
