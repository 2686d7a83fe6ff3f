import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

/**
 * Chinese word segmentation for the FTS5 index. FTS5's unicode61 tokenizer treats a run of Han
 * characters as one token, so Chinese words found by jieba are set apart with spaces; everything
 * else (English, digits, e-mail masks…) is left as it was for unicode61 + porter.
 *
 * The index keeps two streams: `body` holds precise-mode words in order (so phrases of several
 * words stay adjacent), `sub` holds the extra sub-words search mode adds for long words (共和国 in
 * 中华人民共和国), so a single-word query still finds them without breaking phrase adjacency.
 */

let jieba: Jieba | undefined;

/** Loaded once, on first use: the dictionary takes ~150 ms to build. */
function cutter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

const HAS_HAN = /\p{Script=Han}/u;

/** Same as HAS_HAN.test for one token, several times faster: tokens are short, most are ASCII. */
function hasHan(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    // CJK ideographs (ext. A, URO, compatibility) and the surrogates of the supplementary ideograph planes.
    if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xd840 && c <= 0xd87f)) return true;
  }
  return false;
}

/** Sub-words of long words; the vocabulary of long words is small, so cache them. */
const subCache = new Map<string, readonly string[]>();
const SUB_CACHE_MAX = 50_000;

function subWords(word: string): readonly string[] {
  let subs = subCache.get(word);
  if (subs === undefined) {
    subs = cutter().cutForSearch(word, true).filter((w) => w !== word);
    if (subCache.size >= SUB_CACHE_MAX) subCache.clear();
    subCache.set(word, subs);
  }
  return subs;
}

export interface Segmented {
  /** Precise-mode words, space separated, in reading order. */
  body: string;
  /** Search-mode sub-words of long words, space separated. */
  sub: string;
}

export function segmentForIndex(text: string): Segmented {
  const normalized = text.normalize('NFKC');
  if (!HAS_HAN.test(normalized)) return { body: normalized, sub: '' };
  // One jieba call for the whole text (a call per Han run costs more); its tokens concatenate back
  // to the input, so everything but the Han words is kept verbatim for unicode61 to tokenize.
  const extra: string[] = [];
  let body = '';
  for (const token of cutter().cut(normalized, true)) {
    if (!hasHan(token)) {
      body += token;
      continue;
    }
    body += ` ${token} `;
    if (token.length > 2) for (const w of subWords(token)) extra.push(w);
  }
  return { body, sub: extra.join(' ') };
}

/** Segment one query term the same way the index was built; the words come back space separated. */
export function segmentForQuery(term: string): string {
  return segmentForIndex(term).body.replace(/\s+/gu, ' ').trim();
}
