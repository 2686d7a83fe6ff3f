import { isLatinWordChar } from './chars.ts';
import type { EnTokens } from './en-tokenizer.ts';

/**
 * Chinese negation just before a word, within its clause: 不 / 没(有) / 别 / 未 / 无需 / 不用,
 * optionally followed by an auxiliary and a verb of going ("不会去", "没打算", "不想再").
 */
const ZH_NEGATED_BEFORE = /(不|没有?|别|未|无需|不用)(会|想|要|打算|必|用|准备)?(去|再|找)?$/;
const ZH_CLAUSE_BREAK = /[，。！？；、,.!?;\n]/;

/**
 * Is the word starting at `start` negated? English by the tokenizer's negation scope ("won't sue",
 * "never going to call a lawyer"), Chinese by the characters right before it ("不会起诉").
 */
export function negatedAt(text: string, tokens: EnTokens, start: number): boolean {
  const ch = text.charCodeAt(start);
  if (isLatinWordChar(ch)) {
    let lo = 0;
    let hi = tokens.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = tokens.start(mid);
      if (s === start) return tokens.negated(mid);
      if (s < start) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
  let before = text.slice(Math.max(0, start - 6), start);
  const cut = Math.max(...[...before].map((c, i) => (ZH_CLAUSE_BREAK.test(c) ? i + 1 : 0)));
  before = before.slice(cut).replace(/\s+/g, '');
  return ZH_NEGATED_BEFORE.test(before);
}
