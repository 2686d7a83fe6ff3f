import type { Channel, Complaint, Lang, Sentiment } from '../../model/index.ts';
import type { EnTokens } from './en-tokenizer.ts';
import { KeywordMatcher, type KeywordGroup } from './keyword-matcher.ts';
import type { ScoreBand } from './survey.ts';

export interface ComplaintInput {
  text: string;
  lang: Lang;
  sentiment: Sentiment;
  channel: Channel;
  /** Band of a survey answer's score, when there is one. */
  surveyBand: ScoreBand | null;
  /** The English tokens of `text`, when the caller already has them. */
  tokens?: EnTokens;
  /** Distinct COMPLAINT_CUES keywords per group, when the caller already matched them (the stages do, with the config's keywords). */
  cues?: CueCounts;
}

export interface CueCounts {
  problem: number;
  demand: number;
  formal: number;
}

/** What the sentiment stage needs from a complaint model; a trained classifier replaces the rules. */
export interface ComplaintModel {
  readonly version: string;
  predict(input: ComplaintInput): Complaint;
}

/**
 * Cue words: something went wrong, the customer wants something done, or they are complaining
 * formally. In CueCounts order (problem, demand, formal): callers matching them read groups by position.
 */
export const COMPLAINT_CUES: readonly KeywordGroup[] = [
  {
    id: 'problem',
    keywords: {
      en: [
        'problem', 'issue', 'broken', 'damaged', 'defective', 'faulty', 'missing', 'lost', 'late', 'delayed', 'delay',
        'never arrived', 'never received', 'still waiting', 'not working', "doesn't work", 'stopped working',
        'charged twice', 'double charged', 'overcharged', 'wrong', 'error', 'scam', 'fraud', 'rude', 'on hold',
        'hung up', 'no response', 'ignored', 'crash', 'unauthorized', 'not received', "hasn't arrived",
        "didn't arrive", "can't log in", 'locked out', 'hacked', 'stolen', 'hidden fees', 'cancelled', 'canceled',
      ],
      zh: [
        '问题', '坏', '破损', '不发货', '没收到', '延迟', '迟迟', '态度差', '态度很差', '不理', '推诿', '敷衍', '多扣',
        '乱收费', '乱扣', '假货', '骗', '闪退', '打不开', '丢件', '错发', '漏发', '故障', '质量差', '一直没', '还没收到',
        '不能用', '用不了', '打不通', '没人管', '被盗', '盗刷', '拒赔', '冻结', '登录不了', '扣费',
      ],
    },
  },
  {
    id: 'demand',
    keywords: {
      en: [
        'refund', 'money back', 'compensation', 'compensate', 'reimburse', 'reimbursement', 'chargeback', 'replacement',
        'fix this', 'fix it', 'escalate', 'make it right', 'manager', 'supervisor', 'want my money', 'credit my account',
      ],
      zh: ['退款', '退钱', '退货', '赔偿', '补偿', '给个说法', '给个交代', '换货', '退一赔三', '尽快处理', '还我', '要求'],
    },
  },
  {
    id: 'formal',
    keywords: {
      en: ['complaint', 'complain', 'report you', 'cfpb', 'bbb', 'ombudsman', 'regulator', 'lawyer', 'attorney', 'sue', 'lawsuit'],
      zh: ['投诉', '举报', '12315', '消协', '维权', '曝光', '律师', '起诉'],
    },
  },
];

let matcher: KeywordMatcher | null = null;

function matchCues(text: string, tokens: EnTokens | undefined): CueCounts {
  matcher ??= new KeywordMatcher(COMPLAINT_CUES);
  const [problem = 0, demand = 0, formal = 0] = matcher.countDistinct(matcher.match(text, tokens));
  return { problem, demand, formal };
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * Rules, v1: a complaint is negative feedback about a problem — problem words, a demand
 * (refund, 退款), formal complaint words, or a complaint/regulator channel. The probability is a
 * hand-weighted logistic score over the same cues, kept on the side of the decision.
 */
export const ruleComplaint: ComplaintModel = {
  version: 'rules-1',
  predict({ text, sentiment, channel, surveyBand, tokens, cues }: ComplaintInput): Complaint {
    const { problem, demand, formal } = cues ?? matchCues(text, tokens);
    const complaintChannel = channel === 'complaint' || channel === 'regulator';
    const lowScore = surveyBand === 'low' || surveyBand === 'critical';
    const z =
      -2 +
      3.5 * Math.max(0, -sentiment.score) +
      0.8 * Math.min(problem, 2) +
      (demand > 0 ? 1 : 0) +
      (formal > 0 ? 1.2 : 0) +
      (complaintChannel ? 1.2 : 0) +
      (lowScore ? 0.5 : 0) -
      (sentiment.score > 0.3 ? 1.5 : 0);
    const is = sentiment.label === 'negative' && (problem > 0 || demand > 0 || formal > 0 || complaintChannel);
    const p = sigmoid(z);
    return { is, probability: Math.round((is ? Math.max(p, 0.5) : Math.min(p, 0.49)) * 1000) / 1000 };
  },
};
