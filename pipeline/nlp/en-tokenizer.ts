import { isClauseBreak, isHan, isLatinWordChar } from './chars.ts';
import { stemEn } from './stem.ts';

/** A word type, interned: every occurrence of "delivery" shares one, with its stem and flags worked out once. */
export interface Lexeme {
  /** Lower case, curly apostrophes straightened ("doesn't"). */
  word: string;
  stem: string;
  negator: boolean;
  contrast: boolean;
}

export interface EnToken {
  word: string;
  stem: string;
  lex: Lexeme;
  /** Offsets into the input text. */
  start: number;
  end: number;
  /** First token after punctuation, a line break or Han text: negation and intensifier scopes stop here. */
  clauseStart: boolean;
  /** Within NEGATION_WINDOW tokens after a negator ("not", "never", "don't") in the same clause. */
  negated: boolean;
}

export const NEGATORS_EN: ReadonlySet<string> = new Set([
  'not', 'no', 'never', 'none', 'nothing', 'nobody', 'neither', 'nor', 'cannot', 'without', 'hardly', 'barely',
  "don't", "doesn't", "didn't", "isn't", "wasn't", "aren't", "weren't", "won't", "wouldn't", "can't", "couldn't",
  "shouldn't", "haven't", "hasn't", "hadn't", "ain't", 'dont', 'doesnt', 'didnt', 'isnt', 'wasnt', 'arent', 'wont',
  'cant', 'couldnt', 'havent', 'hasnt',
]);

/** Words that start a new clause whose meaning outweighs the one before ("ok, but …"). */
export const CONTRAST_EN: ReadonlySet<string> = new Set(['but', 'however']);

/** "not bad at all": a negator governs the next few words, as in VADER. */
const NEGATION_WINDOW = 3;

const lexemes = new Map<string, Lexeme>();
/** Bounded: customer text has a long tail of typos, names and numbers. */
const MAX_LEXEMES = 100_000;

export function lexeme(word: string): Lexeme {
  let lex = lexemes.get(word);
  if (lex === undefined) {
    if (lexemes.size >= MAX_LEXEMES) lexemes.clear();
    lex = { word, stem: stemEn(word), negator: NEGATORS_EN.has(word), contrast: CONTRAST_EN.has(word) };
    lexemes.set(word, lex);
  }
  return lex;
}

/**
 * Split text into lower-case Latin-script words with offsets, stems, clause starts and negation
 * scope. Han characters and punctuation separate words; hyphens separate words without ending a clause.
 */
export function tokenizeEn(text: string): EnToken[] {
  const out: EnToken[] = [];
  let brk = true;
  let negLeft = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (!isLatinWordChar(c)) {
      if (isClauseBreak(c) || isHan(c)) brk = true;
      i++;
      continue;
    }
    const start = i;
    let folded = c >= 0x41 && c <= 0x5a ? 1 : c >= 0xc0 ? 1 : 0;
    i++;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isLatinWordChar(d)) {
        if ((d >= 0x41 && d <= 0x5a) || d >= 0xc0) folded = 1;
        i++;
      } else if ((d === 0x27 || d === 0x2019) && i + 1 < n && isLatinWordChar(text.charCodeAt(i + 1))) {
        if (d === 0x2019) folded = 1;
        i += 2;
      } else break;
    }
    let word = text.slice(start, i);
    if (folded) word = word.toLowerCase().replace(/\u2019/g, "'");
    const lex = lexeme(word);
    if (brk || lex.contrast) negLeft = 0;
    out.push({ word: lex.word, stem: lex.stem, lex, start, end: i, clauseStart: brk, negated: negLeft > 0 && !lex.negator });
    if (lex.negator) negLeft = NEGATION_WINDOW;
    else if (negLeft > 0) negLeft--;
    brk = false;
  }
  return out;
}
