/**
 * A light English stemmer (Porter step 1 in spirit): plural -s/-es/-ies, -ed, -ing, final -e.
 * Keywords and text go through the same function, so consistency matters more than linguistics:
 * "charge", "charges", "charged", "charging" → "charg"; "shipped", "shipping" → "ship".
 */

/** Words whose trailing "s" is not a plural; stripping it would collide with other words. */
const KEEP = new Set(['news', 'always', 'perhaps', 'series', 'species', 'status', 'plus', 'thus', 'yes', 'less', 'unless', 'various', 'across', 'address']);

const VOWEL = /[aeiouy]/;

function isConsonant(c: string): boolean {
  return c >= 'a' && c <= 'z' && !'aeiou'.includes(c);
}

/** "shipp" → "ship", but keep -ll, -ss, -zz ("call", "miss"). */
function undouble(s: string): { stem: string; undoubled: boolean } {
  const n = s.length;
  const last = s[n - 1]!;
  if (n >= 3 && last === s[n - 2] && isConsonant(last) && last !== 'l' && last !== 's' && last !== 'z') {
    return { stem: s.slice(0, -1), undoubled: true };
  }
  return { stem: s, undoubled: false };
}

/** consonant-vowel-consonant at the end of a 3-letter stem: "hop" (hoped) → "hope". */
function shortCvc(s: string): boolean {
  if (s.length !== 3) return false;
  const [a, b, c] = [s[0]!, s[1]!, s[2]!];
  return isConsonant(a) && !isConsonant(b) && isConsonant(c) && c !== 'w' && c !== 'x' && c !== 'y';
}

export function stemEn(word: string): string {
  if (word.length <= 3 || KEEP.has(word) || word.includes("'")) return word;
  let s = word;
  if (s.endsWith('ies') && s.length > 4) s = s.slice(0, -3) + 'y';
  else if (s.endsWith('sses')) s = s.slice(0, -2);
  else if (s.endsWith('es') && /(?:[sxz]|ch|sh)es$/.test(s)) s = s.slice(0, -2);
  else if (s.endsWith('s') && !/(?:ss|us|is)$/.test(s)) s = s.slice(0, -1);

  let stripped: string | null = null;
  if (s.endsWith('ied') && s.length > 4) s = s.slice(0, -3) + 'y';
  else if (s.endsWith('ed') && !s.endsWith('eed') && s.length >= 5) stripped = s.slice(0, -2);
  else if (s.endsWith('ing') && s.length >= 6) stripped = s.slice(0, -3);
  if (stripped !== null && VOWEL.test(stripped)) {
    const { stem, undoubled } = undouble(stripped);
    s = !undoubled && shortCvc(stem) ? stem + 'e' : stem;
  }
  if (s.endsWith('e') && s.length >= 5) s = s.slice(0, -1);
  return s;
}
