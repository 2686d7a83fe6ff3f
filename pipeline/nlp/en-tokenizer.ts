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
    /** The word type of each token (of the first `length` entries, in a transient view). */
    readonly lex: readonly Lexeme[],
    /** Per token: start offset, end offset, flags (small integers: a plain array allocates faster than a typed one). */
    private readonly data: readonly number[],
    /** The number of tokens: all of `lex`, but for a view over the tokenizer's own buffers. */
    readonly length = lex.length,
  ) {}

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

/**
 * A span of the text that reads as one placeholder word, as if it were replaced by " word " (a
 * URL by " xxurl "): the tokens are those of the rewritten text, without building it.
 */
export interface Placeholder {
  start: number;
  end: number;
  word: string;
}

/**
 * Split text into lower-case Latin-script words with offsets, stems, clause starts and negation
 * scope. Han characters and punctuation separate words; hyphens separate words without ending a clause.
 * `placeholders`: in text order, not overlapping; each gives one token (with the span's offsets).
 */
export function tokenizeEn(text: string, placeholders?: readonly Placeholder[]): EnTokens {
  return collected(tokenize(text, placeholders));
}

/**
 * tokenizeEn(text, placeholders) in buffers the tokenizer reuses: read only, and valid until the
 * next tokenizing call (of any kind). For featurizing, where the tokens are read at once.
 */
export function tokenizeEnTransient(text: string, placeholders?: readonly Placeholder[]): EnTokens {
  return transient(tokenize(text, placeholders));
}

/** Tokenizes into the scratch buffers; returns the token count. */
function tokenize(text: string, placeholders: readonly Placeholder[] | undefined): number {
  let count = 0;
  let brk = true;
  let negLeft = 0;
  const n = text.length;
  let next = 0;
  // Words stop where the next placeholder starts, as they would at its leading space.
  let limit = placeholders !== undefined && placeholders.length > 0 ? placeholders[0]!.start : n;
  let i = 0;
  while (i < n) {
    const start = i;
    let lx: Lexeme;
    if (i === limit) {
      const p = placeholders![next++]!;
      lx = lexeme(p.word);
      i = p.end;
      limit = next < placeholders!.length ? placeholders![next]!.start : n;
    } else {
      const c = text.charCodeAt(i);
      if (!isLatinWordChar(c)) {
        if (isClauseBreak(c) || isHan(c)) brk = true;
        i++;
        continue;
      }
      let h = Math.imul(0x811c9dc5 ^ fold(c), 0x01000193);
      i++;
      while (i < limit) {
        const d = text.charCodeAt(i);
        if (isLatinWordChar(d)) {
          h = Math.imul(h ^ fold(d), 0x01000193);
          i++;
        } else if ((d === 0x27 || d === 0x2019) && i + 1 < limit && isLatinWordChar(text.charCodeAt(i + 1))) {
          h = Math.imul(Math.imul(h ^ 0x27, 0x01000193) ^ fold(text.charCodeAt(i + 1)), 0x01000193);
          i += 2;
        } else break;
      }
      lx = internAt(text, start, i, h);
    }
    negLeft = put(count++, lx, start, i, brk, negLeft);
    brk = false;
  }
  return count;
}

/**
 * tokenizeEn(text, placeholders) from tokenizeEn(text), without tokenizing again: the words outside
 * the placeholders are kept, clause starts and negation scopes worked out anew. Falls back to
 * tokenizing when a word runs into a placeholder (its end would move).
 */
export function withPlaceholders(tokens: EnTokens, text: string, placeholders: readonly Placeholder[]): EnTokens {
  return collected(placeholdersInto(tokens, text, placeholders));
}

/** withPlaceholders in the tokenizer's own buffers, as tokenizeEnTransient. */
export function withPlaceholdersTransient(tokens: EnTokens, text: string, placeholders: readonly Placeholder[]): EnTokens {
  return transient(placeholdersInto(tokens, text, placeholders));
}

/** withPlaceholders into the scratch buffers; returns the token count. */
function placeholdersInto(tokens: EnTokens, text: string, placeholders: readonly Placeholder[]): number {
  // Transient tokens live in the scratch buffers, which this would overwrite while reading them: tokenize instead.
  if (tokens.lex === lexScratch) return tokenize(text, placeholders);
  let count = 0;
  let negLeft = 0;
  let prevEnd = 0;
  // The last token kept when it was the one before k (-1 before the first), -2 after a placeholder.
  let prevKept = -1;
  let k = 0;
  for (let p = 0; p <= placeholders.length; p++) {
    const span = p < placeholders.length ? placeholders[p]! : undefined;
    const until = span === undefined ? text.length : span.start;
    for (; k < tokens.length && tokens.start(k) < until; k++) {
      if (tokens.end(k) > until) return tokenize(text, placeholders);
      // Between two neighbouring tokens of the text, the clause break is already known.
      const brk = prevKept === k - 1 ? tokens.clauseStart(k) : breaksBetween(text, prevEnd, tokens.start(k), count === 0);
      negLeft = put(count, tokens.lex[k]!, tokens.start(k), tokens.end(k), brk, negLeft);
      count++;
      prevEnd = tokens.end(k);
      prevKept = k;
    }
    if (span === undefined) break;
    // Words inside the placeholder are gone with it; one that starts inside and ends after cannot be kept.
    for (; k < tokens.length && tokens.start(k) < span.end; k++) if (tokens.end(k) > span.end) return tokenize(text, placeholders);
    negLeft = put(count, lexeme(span.word), span.start, span.end, breaksBetween(text, prevEnd, span.start, count === 0), negLeft);
    count++;
    prevEnd = span.end;
    prevKept = -2;
  }
  return count;
}

/** A clause break or Han character in text[from, to) (between two tokens: no word characters); always for the first token. */
function breaksBetween(text: string, from: number, to: number, first: boolean): boolean {
  if (first) return true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (isClauseBreak(c) || isHan(c)) return true;
  }
  return false;
}

/**
 * The tokens being collected, reused from text to text (both tokenizers are synchronous): growing
 * fresh arrays token by token allocated several times what the tokens finally hold.
 */
const lexScratch: Lexeme[] = [];
const dataScratch: number[] = [];

/** Token `k` as tokenizeEn makes it; returns the negation words left. */
function put(k: number, lx: Lexeme, start: number, end: number, brk: boolean, negLeft: number): number {
  if (brk || lx.contrast) negLeft = 0;
  const flags = (brk ? CLAUSE_START : 0) | (negLeft > 0 && !lx.negator ? NEGATED : 0);
  if (k < lexScratch.length) {
    lexScratch[k] = lx;
    dataScratch[3 * k] = start;
    dataScratch[3 * k + 1] = end;
    dataScratch[3 * k + 2] = flags;
  } else {
    lexScratch.push(lx);
    dataScratch.push(start, end, flags);
  }
  if (lx.negator) return NEGATION_WINDOW;
  return negLeft > 0 ? negLeft - 1 : 0;
}

/** No tokens (a Chinese text without Latin words): shared, as tokens are read only. */
const NO_TOKENS = new EnTokens([], []);

/** The first `count` collected tokens, in arrays of their own. */
function collected(count: number): EnTokens {
  return count === 0 ? NO_TOKENS : new EnTokens(lexScratch.slice(0, count), dataScratch.slice(0, 3 * count));
}

/** The first `count` collected tokens, in the scratch buffers: no copy. */
function transient(count: number): EnTokens {
  return new EnTokens(lexScratch, dataScratch, count);
}
