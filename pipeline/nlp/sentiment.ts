import type { Lang, Sentiment, SentimentLabel } from '../../model/index.ts';
import { tokenizeEn, type EnTokens } from './en-tokenizer.ts';
import { scoreEnglish } from './sentiment-en.ts';
import { ALPHA, LABEL_BAND, type Acc } from './sentiment-rules.ts';
import { scoreChinese } from './sentiment-zh.ts';

/** What the sentiment stage needs from a model; a trained classifier replaces the lexicon behind it. */
export interface SentimentModel {
  readonly version: string;
  /** `tokens`: tokenizeEn(text), when the caller already has them. */
  score(text: string, lang: Lang, tokens?: EnTokens): Sentiment;
}

export function labelFor(score: number): SentimentLabel {
  return score >= LABEL_BAND ? 'positive' : score <= -LABEL_BAND ? 'negative' : 'neutral';
}

/** Raw lexicon sums → score, label and confidence (more and more consistent evidence → more confident). */
export function fromSums(pos: number, neg: number): Sentiment {
  const net = pos + neg;
  const total = pos - neg;
  if (total === 0) return { label: 'neutral', score: 0, confidence: 0.4 };
  const score = round(net / Math.sqrt(net * net + ALPHA));
  const label = labelFor(score);
  const support = (1 - Math.exp(-total / 2.5)) * (Math.abs(net) / total);
  const confidence = label === 'neutral' ? 0.25 + 0.5 * (1 - support) : 0.4 + 0.55 * support;
  return { label, score, confidence: round(confidence) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Lexicon sentiment, v1: English words and phrases by stem with negation scope, intensifiers and
 * "but"; Chinese by dictionary match with the modifiers before each word. Mixed text is scored in both.
 */
export const lexiconSentiment: SentimentModel = {
  version: 'lexicon-1',
  score(text: string, _lang: Lang, tokens?: EnTokens): Sentiment {
    const acc: Acc = { pos: 0, neg: 0 };
    scoreEnglish(tokens ?? tokenizeEn(text), acc);
    // Chinese words can sit in any text; the automaton skips non-Han text at one lookup per character.
    scoreChinese(text, acc);
    return fromSums(acc.pos, acc.neg);
  },
};
