import { isClauseBreak, isHan, isLatinWordChar } from './chars.ts';
import { enWordFeatures, type EnWordFeatures } from './lexicon-en.ts';
import { stemEn } from './stem.ts';

/**
 * A word type, interned: every occurrence of "delivery" shares one, with its stem, flags and
 * lexicon features worked out once, so scoring a token is field reads rather than map lookups.
 */
export interface Lexeme extends EnWordFeatures {
  /** Lower case, curly apostrophes straightened ("doesn't"). */
  word: string;
  stem: string;
  negator: boolean;
  contrast: boolean;
  /** Hashes of the word's classifier features, filled in by the featurizer on first use. */
  featureHashes: Int32Array | undefined;
}

const CLAUSE_START = 1;
const NEGATED = 2;

/**
 * The English tokens of one text, struct-of-arrays: a text's tokens live as long as its batch (the
 * stages share them), and ~25 small objects per text that survive into the old generation cost
 * more in garbage collection than the tokenizing itself.
 */
export class EnTokens {
  constructor(
    /** The word type of each token. */
    readonly lex: readonly Lexeme[],
    /** Per token: start offset, end offset, flags. */
    private readonly data: Int32Array,
  ) {}

  get length(): number {
    return this.lex.length;
  }

  word(i: number): string {
    return this.lex[i]!.word;
  }

  stem(i: number): string {
    return this.lex[i]!.stem;
  }

  /** Offsets into the input text. */
  start(i: number): number {
    return this.data[3 * i]!;
  }

  end(i: number): number {
    return this.data[3 * i + 1]!;
  }

  /** First token after punctuation, a line break or Han text: negation and intensifier scopes stop here. */
  clauseStart(i: number): boolean {
    return (this.data[3 * i + 2]! & CLAUSE_START) !== 0;
  }

  /** Within NEGATION_WINDOW tokens after a negator ("not", "never", "don't") in the same clause. */
  negated(i: number): boolean {
    return (this.data[3 * i + 2]! & NEGATED) !== 0;
  }
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
    const stem = stemEn(word);
    lex = { word, stem, negator: NEGATORS_EN.has(word), contrast: CONTRAST_EN.has(word), ...enWordFeatures(word, stem), featureHashes: undefined };
    lexemes.set(word, lex);
  }
  return lex;
}

/**
 * Word types by a hash of their characters, looked up straight from the text: a word seen before
 * costs no slice, no lower-casing and no string hashing. Open addressing; cleared when 3/4 full.
 */
const SLOTS = 1 << 17;
const slotLex = new Array<Lexeme | undefined>(SLOTS);
const slotHash = new Int32Array(SLOTS);
let slotCount = 0;

/** The character as it appears in the lexeme's word: A–Z and Latin-1 capitals lower-cased, ’ → '. */
function fold(c: number): number {
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c <= 0xde && c !== 0xd7)) return c + 0x20;
  return c === 0x2019 ? 0x27 : c;
}

function sameWord(word: string, text: string, start: number, end: number): boolean {
  if (word.length !== end - start) return false;
  for (let k = 0; k < word.length; k++) if (word.charCodeAt(k) !== fold(text.charCodeAt(start + k))) return false;
  return true;
}

function internAt(text: string, start: number, end: number, hash: number): Lexeme {
  let i = hash & (SLOTS - 1);
  for (let lx = slotLex[i]; lx !== undefined; lx = slotLex[i]) {
    if (slotHash[i] === hash && sameWord(lx.word, text, start, end)) return lx;
    i = (i + 1) & (SLOTS - 1);
  }
  let word = text.slice(start, end);
  word = word.toLowerCase().replace(/\u2019/g, "'");
  const lx = lexeme(word);
  // Words whose lower case is not the simple fold (rare capitals outside Latin-1) are not kept here.
  if (sameWord(word, text, start, end)) {
    if (slotCount >= (SLOTS * 3) / 4) {
      slotLex.fill(undefined);
      slotCount = 0;
      return internAt(text, start, end, hash);
    }
    slotLex[i] = lx;
    slotHash[i] = hash;
    slotCount++;
  }
  return lx;
}

let scratch = new Int32Array(3 * 256);

/**
 * Split text into lower-case Latin-script words with offsets, stems, clause starts and negation
 * scope. Han characters and punctuation separate words; hyphens separate words without ending a clause.
 */
export function tokenizeEn(text: string): EnTokens {
  const lex: Lexeme[] = [];
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
    let h = Math.imul(0x811c9dc5 ^ fold(c), 0x01000193);
    i++;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isLatinWordChar(d)) {
        h = Math.imul(h ^ fold(d), 0x01000193);
        i++;
      } else if ((d === 0x27 || d === 0x2019) && i + 1 < n && isLatinWordChar(text.charCodeAt(i + 1))) {
        h = Math.imul(Math.imul(h ^ 0x27, 0x01000193) ^ fold(text.charCodeAt(i + 1)), 0x01000193);
        i += 2;
      } else break;
    }
    const lx = internAt(text, start, i, h);
    if (brk || lx.contrast) negLeft = 0;
    const k = 3 * lex.length;
    if (k + 3 > scratch.length) {
      const bigger = new Int32Array(scratch.length * 2);
      bigger.set(scratch);
      scratch = bigger;
    }
    scratch[k] = start;
    scratch[k + 1] = i;
    scratch[k + 2] = (brk ? CLAUSE_START : 0) | (negLeft > 0 && !lx.negator ? NEGATED : 0);
    lex.push(lx);
    if (lx.negator) negLeft = NEGATION_WINDOW;
    else if (negLeft > 0) negLeft--;
    brk = false;
  }
  return new EnTokens(lex, scratch.slice(0, 3 * lex.length));
}
