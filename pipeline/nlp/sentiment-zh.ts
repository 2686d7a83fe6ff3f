import { AhoCorasick } from './aho-corasick.ts';
import { CONTRAST_ZH, MODIFIERS_ZH, SENTIMENT_ZH } from './lexicon-zh.ts';
import { add, AFTER_CONTRAST, BEFORE_CONTRAST, FLIP_NEGATIVE, FLIP_POSITIVE, type Acc } from './sentiment-rules.ts';

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
export function scoreChinese(text: string, acc: Acc): void {
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
