/** Character classes shared by the tokenizers, language detection and the matchers. */

/** CJK Unified Ideographs, Extension A and compatibility ideographs: enough to tell Chinese text apart. */
export function isHan(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff);
}

/** Any CJK script or CJK punctuation: keywords containing one are matched as substrings. */
export function isCjk(c: number): boolean {
  return c >= 0x2e80 && (c <= 0x9fff || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef));
}

/** Letters and digits that make up a Latin-script word (ASCII plus Latin-1/Extended-A/B letters). */
export function isLatinWordChar(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a);
  return c >= 0xc0 && c < 0x250 && c !== 0xd7 && c !== 0xf7;
}

/** A–Z lowered, every other code as it is. */
export function lowerAscii(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** Punctuation that ends a clause: negation and intensifier scopes stop here. */
export function isClauseBreak(c: number): boolean {
  switch (c) {
    case 0x2e: case 0x2c: case 0x3b: case 0x3a: case 0x21: case 0x3f: case 0x28: case 0x29: case 0x0a:
    case 0x3002: case 0xff0c: case 0xff01: case 0xff1f: case 0xff1b: case 0xff1a: case 0x3001: case 0x2026:
      return true;
    default:
      return false;
  }
}

/** Whitespace as `\s` in a regular expression matches it (Unicode spaces, line separators, BOM). */
export function isWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
