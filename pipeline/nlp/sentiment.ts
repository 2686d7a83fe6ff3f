import type { Lang, Sentiment, SentimentLabel } from '../../model/index.ts';
import { CONTRAST_EN, NEGATORS_EN, tokenizeEn, type EnToken } from './en-tokenizer.ts';
import { INTENSIFIERS_EN, SENTIMENT_EN } from './lexicon-en.ts';
import { CONTRAST_ZH, MODIFIERS_ZH, SENTIMENT_ZH } from './lexicon-zh.ts';
import { stemEn } from './stem.ts';
import { AhoCorasick } from './aho-corasick.ts';

/** What the sentiment stage needs from a model; a trained classifier replaces the lexicon behind it. */
export interface SentimentModel {
  readonly version: string;
  /** `tokens`: tokenizeEn(text), when the caller already has them. */
  score(text: string, lang: Lang, tokens?: readonly EnToken[]): Sentiment;
}

/** A negated positive reads as fairly negative ("not good"); a negated negative only mildly positive ("not bad"). */
const FLIP_POSITIVE = -0.8;
const FLIP_NEGATIVE = -0.4;
/** After "but" / "但是" the clause that follows counts more than the one before (as in VADER). */
const BEFORE_CONTRAST = 0.5;
const AFTER_CONTRAST = 1.5;
/** VADER's normalization constant: sum / sqrt(sum² + α) maps raw sums into (−1, 1). */
const ALPHA = 15;
/** Scores within ±LABEL_BAND are neutral. */
export const LABEL_BAND = 0.15;
/** Intensifiers reach this many tokens ahead ("very, very slow" still counts). */
const BOOST_WINDOW = 2;

interface Acc {
  pos: number;
  neg: number;
}

function add(acc: Acc, v: number): void {
  if (v > 0) acc.pos += v;
  else acc.neg += v;
}

// --- English -------------------------------------------------------------------------------

interface PhraseNode {
  next: Map<string, PhraseNode>;
  weight?: number;
}
const EN_WORD = new Map<string, number>();
const EN_STEM = new Map<string, number>();
const EN_PHRASES: PhraseNode = { next: new Map() };
for (const [entry, weight] of Object.entries(SENTIMENT_EN)) {
  const toks = tokenizeEn(entry);
  if (toks.length === 1) {
    EN_WORD.set(entry, weight);
    const stem = stemEn(entry);
    // Zero entries exist to block stem collisions, so they win them.
    if (!EN_STEM.has(stem) || weight === 0) EN_STEM.set(stem, weight);
  } else {
    let node = EN_PHRASES;
    for (const t of toks) {
      let child = node.next.get(t.stem);
      if (!child) node.next.set(t.stem, (child = { next: new Map() }));
      node = child;
    }
    node.weight = weight;
  }
}
const EN_BOOST = new Map(Object.entries(INTENSIFIERS_EN));

/** Longest lexicon phrase starting at token i, as [weight, length], or null. */
function phraseAt(toks: readonly EnToken[], i: number): [number, number] | null {
  let node = EN_PHRASES.next.get(toks[i]!.stem);
  let best: [number, number] | null = null;
  for (let j = i; node; ) {
    if (node.weight !== undefined) best = [node.weight, j - i + 1];
    if (++j >= toks.length || toks[j]!.clauseStart) break;
    node = node.next.get(toks[j]!.stem);
  }
  return best;
}

function scoreEn(toks: readonly EnToken[], acc: Acc): void {
  let boost = 1, boostLeft = 0, mult = 1;
  // A negation is used up by the word it governs: "not good and slow" is not "not slow".
  let negUsed = false;
  for (let i = 0; i < toks.length; ) {
    const t = toks[i]!;
    if (t.clauseStart) boostLeft = 0;
    if (CONTRAST_EN.has(t.word)) {
      acc.pos *= BEFORE_CONTRAST;
      acc.neg *= BEFORE_CONTRAST;
      mult = AFTER_CONTRAST;
      i++;
      continue;
    }
    const phrase = phraseAt(toks, i);
    const w = phrase ? phrase[0] : (EN_WORD.get(t.word) ?? EN_STEM.get(t.stem));
    const len = phrase ? phrase[1] : 1;
    if (!w) {
      if (NEGATORS_EN.has(t.word)) negUsed = false;
      const b = EN_BOOST.get(t.word);
      if (b !== undefined) {
        boost = b;
        boostLeft = BOOST_WINDOW;
      } else if (boostLeft > 0) boostLeft--;
      i += len;
      continue;
    }
    let v = w * (boostLeft > 0 ? boost : 1);
    // A phrase that starts with its own negator ("not working", "no problem") is already signed.
    if (t.negated && !negUsed && !(phrase && NEGATORS_EN.has(t.word))) {
      v *= v > 0 ? FLIP_POSITIVE : FLIP_NEGATIVE;
      negUsed = true;
    }
    add(acc, v * mult);
    boostLeft = 0;
    i += len;
  }
}

// --- Chinese -------------------------------------------------------------------------------

const ZH_ENTRIES = Object.entries(SENTIMENT_ZH);
/** Lexicon words, then contrast words (weight NaN), in one automaton. */
const ZH_AC = new AhoCorasick([...ZH_ENTRIES.map(([w]) => w), ...CONTRAST_ZH]);
const ZH_WEIGHT = Float64Array.from([...ZH_ENTRIES.map(([, w]) => w), ...CONTRAST_ZH.map(() => NaN)]);
const HAO = ZH_ENTRIES.findIndex(([w]) => w === '好');
/** Modifiers by their last character, longest first, for reading backwards from a match. */
const MOD_BY_LAST = new Map<number, Array<[string, { boost: number; negates: boolean }]>>();
for (const [m, effect] of Object.entries(MODIFIERS_ZH).sort((x, y) => y[0].length - x[0].length)) {
  const last = m.charCodeAt(m.length - 1);
  const list = MOD_BY_LAST.get(last) ?? [];
  list.push([m, effect]);
  MOD_BY_LAST.set(last, list);
}
const MAX_MODIFIERS = 3;

/**
 * Dictionary sentiment for Chinese: leftmost-longest lexicon matches (blockers included), each
 * read together with up to three modifiers written right before it ("非常不满意", "不是很好").
 * Substring matching instead of jieba: segmentation costs 30–70 µs per post, the whole stage budget.
 */
function scoreZh(text: string, acc: Acc): void {
  const found: number[] = [];
  ZH_AC.scan(text, (p, start) => found.push(start, p));
  if (!found.length) return;
  const order: number[] = [];
  for (let k = 0; k < found.length; k += 2) order.push(k);
  // Leftmost first; at the same start the longest.
  order.sort((x, y) => found[x]! - found[y]! || ZH_AC.lengths[found[y + 1]!]! - ZH_AC.lengths[found[x + 1]!]!);
  const picked: number[] = [];
  let lastEnd = 0;
  for (const k of order) {
    const start = found[k]!;
    if (start < lastEnd) continue;
    picked.push(start, found[k + 1]!);
    lastEnd = start + ZH_AC.lengths[found[k + 1]!]!;
  }
  let mult = 1;
  let prevEnd = 0;
  for (let k = 0; k < picked.length; k += 2) {
    const start = picked[k]!;
    const p = picked[k + 1]!;
    const end = start + ZH_AC.lengths[p]!;
    const w = ZH_WEIGHT[p]!;
    if (Number.isNaN(w)) {
      acc.pos *= BEFORE_CONTRAST;
      acc.neg *= BEFORE_CONTRAST;
      mult = AFTER_CONTRAST;
      prevEnd = end;
      continue;
    }
    // 好 right before another sentiment word intensifies it ("好慢" = so slow); it is not praise.
    if (p === HAO && k + 2 < picked.length && picked[k + 2] === end && ZH_WEIGHT[picked[k + 3]!]) continue;
    if (w === 0) {
      prevEnd = end;
      continue;
    }
    let boost = 1;
    let negated = false;
    let pos = start;
    for (let m = 0; m < MAX_MODIFIERS && pos > prevEnd; m++) {
      const cands = MOD_BY_LAST.get(text.charCodeAt(pos - 1));
      const hit = cands?.find(([mod]) => pos - mod.length >= prevEnd && text.startsWith(mod, pos - mod.length));
      if (!hit) break;
      boost *= hit[1].boost;
      if (hit[1].negates) negated = !negated;
      pos -= hit[0].length;
    }
    let v = w * boost;
    if (negated) v *= v > 0 ? FLIP_POSITIVE : FLIP_NEGATIVE;
    add(acc, v * mult);
    prevEnd = end;
  }
}

// --- Both ----------------------------------------------------------------------------------

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
  score(text: string, _lang: Lang, tokens?: readonly EnToken[]): Sentiment {
    const acc: Acc = { pos: 0, neg: 0 };
    scoreEn(tokens ?? tokenizeEn(text), acc);
    // Chinese words can sit in any text; the automaton skips non-Han text at one lookup per character.
    scoreZh(text, acc);
    return fromSums(acc.pos, acc.neg);
  },
};
