import type { Lang } from '../../model/index.ts';
import { isHan } from './chars.ts';

/** Long texts are decided by their beginning; 2,000 characters is plenty and keeps this O(1). */
const SAMPLE = 2000;
/**
 * One Han character carries about as much as three Latin letters (a Chinese word is ~1.5
 * characters, an English one ~4.7 letters), so Latin letters count a third when comparing scripts.
 */
const LATIN_PER_HAN = 3;
/** Share of (weighted) letters that are Han above which mixed text counts as Chinese. */
const ZH_SHARE = 0.3;

const EN_WORDS = [
  'the', 'a', 'an', 'and', 'or', 'but', 'is', 'was', 'are', 'were', 'be', 'been', 'to', 'of', 'in', 'on', 'at', 'for',
  'with', 'from', 'by', 'my', 'i', 'me', 'you', 'your', 'it', 'its', 'this', 'that', 'they', 'them', 'we', 'our', 'he',
  'she', 'not', 'no', 'have', 'has', 'had', 'do', 'did', 'does', 'can', 'will', 'would', 'just', 'so', 'very', 'after',
  'what', 'when', 'why', 'how', 'still', 'again', 'never', 'all', 'any', 'get', 'got', 'there', 'here', 'if', 'than',
  // Customer-service words that are distinctively English, so that "Terrible service" is recognized.
  'service', 'order', 'refund', 'delivery', 'terrible', 'great', 'thanks', 'thank', 'good', 'bad', 'please', 'help',
  'customer', 'support', 'worst', 'best', 'love', 'awful', 'horrible', 'excellent', 'late', 'broken', 'account',
];
/** Function words of other Latin-script languages common in feedback (es, fr, de, pt, it, nl, id). */
const OTHER_WORDS = [
  'el', 'la', 'los', 'las', 'que', 'y', 'es', 'muy', 'pero', 'con', 'para', 'por', 'una', 'un', 'del', 'le', 'les',
  'des', 'et', 'est', 'pas', 'une', 'du', 'au', 'pour', 'avec', 'der', 'die', 'das', 'und', 'ist', 'nicht', 'ein',
  'eine', 'ich', 'mit', 'sehr', 'auf', 'o', 'os', 'não', 'nao', 'um', 'uma', 'il', 'di', 'che', 'non', 'het', 'een',
  'niet', 'ik', 'yang', 'dan', 'tidak', 'ini', 'itu', 'saya', 'sangat', 'de', 'en', 'zu', 'se', 'em', 'lo',
];
const EN = 1;
const OTHER = 2;
/** Word → EN or OTHER: one lookup per word (most words are in neither list). English wins for a word in both. */
const FUNCTION_WORDS = new Map<string, number>([...OTHER_WORDS.map((w) => [w, OTHER] as const), ...EN_WORDS.map((w) => [w, EN] as const)]);

const WORD_RE = /[a-z\u00c0-\u024f]+/g;
/** Function words are counted in the first words only: enough evidence, bounded cost. */
const MAX_WORDS = 60;

/**
 * 'zh' when Han characters make up a meaningful share of the letters, 'en' for Latin-script text
 * that reads as English (its function words, no foreign ones), 'other' for everything else
 * (Japanese kana, Korean, Cyrillic, Spanish…, or no letters at all).
 */
export function detectLanguage(text: string, words?: () => ReadonlyArray<{ word: string }>): Lang {
  const n = Math.min(text.length, SAMPLE);
  let han = 0, latin = 0, accented = 0, kana = 0, otherScript = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      const l = c | 0x20;
      if (l >= 0x61 && l <= 0x7a) latin++;
    } else if (isHan(c)) han++;
    else if (c >= 0x3040 && c <= 0x30ff) kana++;
    else if (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) { latin++; accented++; }
    else if ((c >= 0x370 && c <= 0x1fff) || (c >= 0xac00 && c <= 0xd7af)) otherScript++;
  }
  // Japanese mixes Han with kana; any real share of kana means it is not Chinese.
  if (kana > 0 && kana >= 0.1 * (han + kana)) return 'other';
  const weighted = han + (latin + otherScript) / LATIN_PER_HAN;
  if (han > 0 && han / weighted >= ZH_SHARE) return 'zh';
  if (latin === 0 || otherScript > latin) return 'other';
  const list = words ? words() : (text.slice(0, n).toLowerCase().match(WORD_RE) ?? []).map((word) => ({ word }));
  return looksEnglish(list, accented / latin) ? 'en' : 'other';
}

/** `words`: lower-case words of the text, e.g. from tokenizeEn. */
function looksEnglish(words: ReadonlyArray<{ word: string }>, accentedShare: number): boolean {
  let en = 0, other = 0;
  const n = Math.min(words.length, MAX_WORDS);
  for (let i = 0; i < n; i++) {
    const kind = FUNCTION_WORDS.get(words[i]!.word);
    if (kind === EN) en++;
    else if (kind === OTHER) other++;
  }
  if (accentedShare > 0.03) return en > 2 * other && en >= 2;
  if (en > 0) return en >= other;
  // Too short to tell ("Ok", "iPhone 15 Pro"): most short Latin-script feedback is English.
  return other === 0 && words.length <= 4;
}
