import type { Channel, SurveyMetric } from '../../model/index.ts';
import { Weighted } from './prng.ts';
import type { ScenarioId, SurveyTouchpoint } from './phrases.ts';

/** The fictional company's world: what it sells, where, and who ships it. */

export interface Product { id: string; en: string; zh: string }

export const PRODUCTS: readonly Product[] = [
  { id: 'air-fryer-x2', en: 'Air Fryer X2', zh: '空气炸锅X2' },
  { id: 'robot-vacuum-s7', en: 'robot vacuum S7', zh: '扫地机器人S7' },
  { id: 'kettle-k1', en: 'smart kettle', zh: '智能电热水壶' },
  { id: 'blender-pro', en: 'Blender Pro', zh: '破壁机Pro' },
  { id: 'desk-lamp', en: 'desk lamp', zh: '护眼台灯' },
  { id: 'bedding-set', en: 'bedding set', zh: '床上四件套' },
  { id: 'earbuds-air', en: 'wireless earbuds', zh: '无线蓝牙耳机' },
  { id: 'water-purifier', en: 'water purifier', zh: '净水器' },
  { id: 'coffee-maker', en: 'coffee maker', zh: '咖啡机' },
];
export const MEMBERSHIP: Product = { id: 'hearthly-plus', en: 'Hearthly Plus', zh: '禾家会员' };
export const APP: Product = { id: 'hearthly-app', en: 'Hearthly app', zh: '禾家App' };

export interface Region { id: string; cities: readonly string[]; stores: readonly string[] }

export const REGIONS: { en: readonly Region[]; zh: readonly Region[] } = {
  en: [
    { id: 'us-east', cities: ['New York', 'Boston', 'Philadelphia', 'Atlanta'], stores: ['NYC-5th-Ave', 'BOS-Newbury'] },
    { id: 'us-west', cities: ['San Francisco', 'Seattle', 'Los Angeles', 'Portland'], stores: ['SF-Market-St', 'SEA-Pike'] },
    { id: 'us-central', cities: ['Chicago', 'Dallas', 'Denver', 'Minneapolis'], stores: ['CHI-Michigan-Ave'] },
    { id: 'uk', cities: ['London', 'Manchester', 'Leeds'], stores: ['LDN-Oxford-St'] },
  ],
  zh: [
    { id: 'cn-east', cities: ['上海', '杭州', '南京', '苏州'], stores: ['SH-Nanjing-Rd', 'HZ-Hubin'] },
    { id: 'cn-south', cities: ['广州', '深圳', '厦门'], stores: ['GZ-Tianhe', 'SZ-Futian'] },
    { id: 'cn-north', cities: ['北京', '天津', '济南'], stores: ['BJ-Sanlitun'] },
    { id: 'cn-southwest', cities: ['成都', '重庆', '昆明'], stores: ['CD-Chunxi'] },
  ],
};

/** Six warehouse suppliers; one of them is behind far more delivery trouble than its share of volume. */
export const SUPPLIERS = ['Northgate Fulfilment', 'Bluewater Logistics', 'Eastbay 3PL', 'Summit Warehousing', 'Pearl River Supply', 'Yangtze Cargo'] as const;
export const SKEWED_SUPPLIER = 'Eastbay 3PL';

export const SUPPLIER_ANY = new Weighted(SUPPLIERS.map((s) => [s, 1] as const));
/** Late and damaged deliveries: Eastbay 3PL gets ~45% instead of ~17%. */
export const SUPPLIER_DELIVERY_TROUBLE = new Weighted(SUPPLIERS.map((s) => [s, s === SKEWED_SUPPLIER ? 8 : 2] as const));

export const SCENARIO_WEIGHTS = new Weighted<ScenarioId>([
  ['late-delivery', 16], ['damaged-goods', 9], ['refund-delay', 12], ['rude-support', 8], ['hold-time', 8],
  ['billing-error', 9], ['app-crash', 8], ['account-hacked', 3], ['warranty-claim', 4], ['praise', 15], ['question', 8],
]);

/** Scenarios about a physical order: these carry a product and a supplier. */
export const ORDER_SCENARIOS: ReadonlySet<ScenarioId> = new Set(['late-delivery', 'damaged-goods', 'refund-delay', 'warranty-claim', 'praise', 'question']);
export const DELIVERY_TROUBLE: ReadonlySet<ScenarioId> = new Set(['late-delivery', 'damaged-goods']);

/** Where each kind of post is written: complaints go to inboxes and regulators, praise to reviews and social. */
export const CHANNELS_BY_MOOD = {
  negative: new Weighted<Channel>([['social', 28], ['review', 14], ['forum', 10], ['complaint', 18], ['email', 12], ['chat', 12], ['regulator', 4]]),
  positive: new Weighted<Channel>([['social', 40], ['review', 40], ['forum', 10], ['email', 5], ['chat', 5]]),
  question: new Weighted<Channel>([['social', 20], ['forum', 25], ['chat', 35], ['email', 20]]),
};

export interface SurveyDef { survey: string; touchpoint: SurveyTouchpoint; metric: SurveyMetric }

export const SURVEYS = new Weighted<SurveyDef>([
  [{ survey: 'delivery-csat', touchpoint: 'delivery', metric: 'csat' }, 4],
  [{ survey: 'delivery-nps', touchpoint: 'delivery', metric: 'nps' }, 2],
  [{ survey: 'checkout-ces', touchpoint: 'checkout', metric: 'ces' }, 3],
  [{ survey: 'support-csat', touchpoint: 'support-contact', metric: 'csat' }, 3],
  [{ survey: 'support-nps', touchpoint: 'support-contact', metric: 'nps' }, 1],
  [{ survey: 'returns-ces', touchpoint: 'returns', metric: 'ces' }, 2],
]);
