import { feedbackId, type Channel, type Feedback } from "../model/index.ts";
let seed = 42;
function rnd(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const ZH = [
  '快递三天还没到', '客服态度很差', '理赔速度太慢了', '退款一直没有到账', '我要投诉到消费者协会', '产品质量有问题',
  '屏幕用了一周就坏了', '电话打了好几次都没人接', '价格比别家贵很多', '物流信息一直不更新', '售后服务还不错',
  '包装很好，发货也快', '商家拒绝退货', '信用卡被多扣了一笔钱', '银行卡绑定失败', '保险公司推卸责任',
  '网点排队两个小时', '手机应用经常闪退', '账户被冻结了也不说明原因', '希望尽快处理', '非常满意这次的服务',
  '快递员态度恶劣', '订单被无故取消', '优惠券不能使用', '会员积分清零了', '这次理赔很顺利', '客服回复很及时',
];
const EN = [
  'The parcel was delivered to the wrong address', 'Customer service never answered my emails',
  'Still waiting for my refund after three weeks', 'The app keeps crashing when I log in',
  'Great service, the courier was friendly', 'I was charged twice on my credit card',
  'The claim process is far too slow', 'Delivery was late again this month', 'Nobody picks up the phone at the hotline',
  'The product broke after one week', 'Prices went up without any notice', 'My account was blocked for no reason',
  'Very happy with the quick response', 'The store staff were rude and unhelpful', 'Refunds take forever to process',
  'The website checkout fails every time', 'Excellent support, problem solved in minutes', 'I will file a complaint with the regulator',
];
const CHANNELS: Channel[] = ['forum', 'social', 'review', 'news', 'complaint', 'regulator', 'email', 'webform', 'call', 'chat'];
const TOPICS = ['delivery', 'refund', 'service', 'app', 'billing', 'quality', 'price', 'account', 'claims', 'store', 'staff', 'website', 'loyalty', 'fraud', 'wait-time'];
const PRODUCTS = Array.from({ length: 30 }, (_, i) => `product-${i}`);
const REGIONS = ['north', 'south', 'east', 'west', 'central', 'coast', 'hills', 'capital'];
const SENT = ['negative', 'neutral', 'positive'] as const;
const LEVELS = ['low', 'medium', 'high', 'critical'] as const;
const YEAR_START = Date.UTC(2024, 6, 1);
const YEAR_MS = 365 * 86_400_000;

function sentence(zh: boolean): string {
  const parts: string[] = [];
  const target = 20 + Math.floor(rnd() * (zh ? 80 : 180));
  let len = 0;
  while (len < target) {
    const s = pick(zh ? ZH : EN);
    parts.push(s);
    len += s.length + 1;
  }
  return parts.join(zh ? '，' : '. ');
}

export function makeItem(i: number): Feedback {
  const zh = rnd() < 0.4;
  const text = sentence(zh);
  const channel = rnd() < 0.1 ? 'survey' : pick(CHANNELS);
  const sourceId = `${channel}-${Math.floor(rnd() * 3)}`;
  const externalId = `ext-${i}`;
  const topics = Array.from({ length: Math.floor(rnd() * 3) + 1 }, () => ({ id: pick(TOPICS), score: rnd() }));
  const published = new Date(YEAR_START + Math.floor(rnd() * YEAR_MS)).toISOString();
  return {
    source: { id: sourceId, kind: channel },
    channel,
    initiator: channel === 'survey' ? 'company' : 'customer',
    externalId,
    text,
    publishedAt: published,
    id: feedbackId(sourceId, externalId),
    lang: zh ? 'zh' : 'en',
    originalText: text,
    contentHash: String(i),
    receivedAt: published,
    processedAt: published,
    author: { handle: `user${i % 5000}` },
    dimensions: { product: pick(PRODUCTS), region: pick(REGIONS) },
    ...(channel === 'survey' ? { survey: { survey: 'nps-q1', metric: 'nps' as const, score: Math.floor(rnd() * 11) } } : {}),
    analysis: {
      sentiment: { label: pick(SENT), score: rnd() * 2 - 1, confidence: rnd() },
      complaint: { is: rnd() < 0.5, probability: rnd() },
      topics,
      touchpoint: rnd() < 0.5 ? { journey: 'purchase', touchpoint: pick(['checkout', 'shipping', 'returns']) } : null,
      escalation: { score: rnd(), level: pick(LEVELS), signals: [] },
      duplicateOf: rnd() < 0.03 ? 'someone-else' : null,
      pii: [],
      models: { sentiment: 'bench' },
    },
  };
}

