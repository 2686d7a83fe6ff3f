import type { PiiKind } from '../../model/index.ts';

/**
 * Personal data masking for the indexed text. Each pattern trades recall for precision where
 * order numbers, dates and prices look alike: cards must pass Luhn and start like a card, an
 * 18-character Chinese ID must carry a valid region, birth date and checksum, the 15-digit old ID
 * (no checksum) needs an ID word in front of it, and a bare 10-digit number is not a phone.
 */

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const CN_ID18 = /(?<![0-9A-Za-z])[1-8]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g;
const CN_ID15 = /(身份证|证件|证号|\bid\b|\bidentity\b|\bid card\b)([^0-9]{0,12})([1-8]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])/gi;
/** 13–19 digits, optionally grouped by single spaces or dashes. */
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?!\d)/g;
const PHONES: readonly RegExp[] = [
  // Chinese mobile, with or without +86 / 0086 and spaces or dashes: 138 1234 5678.
  /(?<![0-9A-Za-z])(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)/g,
  // International with a leading +: +44 20 7946 0958, +1 (415) 555-2671.
  /\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)/g,
  // North American with separators: (415) 555-2671, 415-555-2671, 1-800-555-0199.
  /(?<![\d-])(?:1[ .-])?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d)/g,
  // Chinese landline with an area code: 010-12345678, (0755) 1234567.
  /(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3}-)[ ]?\d{7,8}(?!\d)/g,
];
/** Cheap pre-check: nothing below can match without a run of 8+ digit-ish characters. */
const DIGITISH = /\d[\d ().+-]{6,}\d/;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643 checksum of an 18-character resident ID. */
export function cnIdValid(id: string): boolean {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11] === id[17]!.toUpperCase();
}

/** Card networks start with 2 (Mastercard 2-series), 3 (Amex, JCB, Diners), 4, 5 or 6 (UnionPay, Discover). */
function cardLike(digits: string): boolean {
  const first = digits.charCodeAt(0) - 48;
  return first >= 2 && first <= 6 && luhnValid(digits);
}

/** The longest leading run of digit groups that is a card, so "4111 1111 1111 1111 2 items" still masks the card. */
function maskCard(match: string, found: Set<PiiKind>): string {
  const groups = match.split(/([ -])/);
  for (let end = groups.length; end > 0; end -= 2) {
    const part = groups.slice(0, end).join('');
    const digits = part.replace(/[ -]/g, '');
    if (digits.length < 13) break;
    if (digits.length <= 19 && cardLike(digits)) {
      found.add('card');
      return '[card]' + match.slice(part.length);
    }
  }
  return match;
}

export interface Redaction {
  text: string;
  kinds: PiiKind[];
}

/** A character EMAIL allows in the part before the "@". */
function isLocalPartChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d;
}

/**
 * Some "@" right after a character an address may hold: without one EMAIL cannot match, and the
 * regular expression is not run over every text that only has mentions ("@united").
 */
function mayHoldEmail(text: string): boolean {
  for (let i = text.indexOf('@'); i >= 0; i = text.indexOf('@', i + 1)) if (i > 0 && isLocalPartChar(text.charCodeAt(i - 1))) return true;
  return false;
}

/** The kinds found by the redactPii call in progress (it is synchronous): one Set, not one per text. */
const found = new Set<PiiKind>();
const email = (): string => (found.add('email'), '[email]');
const cnId18 = (m: string): string => (cnIdValid(m) ? (found.add('cn_id'), '[id]') : m);
const card = (m: string): string => maskCard(m, found);
const cnId15 = (_m: string, word: string, gap: string): string => (found.add('cn_id'), `${word}${gap}[id]`);
const phone = (m: string): string => {
  const digits = m.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15 ? (found.add('phone'), '[phone]') : m;
};

/** Mask e-mail addresses, phone numbers, Chinese resident IDs and payment cards. Never logs the values. */
export function redactPii(text: string): Redaction {
  found.clear();
  let out = text;
  if (mayHoldEmail(out)) out = out.replace(EMAIL, email);
  if (DIGITISH.test(out)) {
    out = out.replace(CN_ID18, cnId18);
    out = out.replace(CARD, card);
    out = out.replace(CN_ID15, cnId15);
    for (const re of PHONES) out = out.replace(re, phone);
  }
  return { text: out, kinds: found.size ? [...found] : [] };
}
