/** HTML to plain text for feedback crawled from web pages and rich-text inboxes. */

const DROPPED = /<(script|style|noscript|template|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
/** Block-level tags separate words; inline tags (<b>, <a>, <span>) do not. */
const BLOCK = /<\/?(?:p|div|br|li|ul|ol|tr|td|th|h[1-6]|blockquote|section|article|header|footer|table|pre|hr|dd|dt)\b[^>]*>/gi;
/** A tag starts with a letter, "/" or "!": "a < b" and "I <3 it" are left alone. */
const TAG = /<[a-zA-Z/!][^<>]*>/g;
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,8}));/g;

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', mdash: '—', ndash: '–',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', copy: '©', reg: '®', trade: '™', yen: '¥', euro: '€',
  pound: '£', cent: '¢', middot: '·', laquo: '«', raquo: '»', times: '×', deg: '°', bull: '•', ensp: ' ', emsp: ' ',
};

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name.toLowerCase()] ?? m;
    const cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    // Surrogates and out-of-range code points are not characters; keep the text as written.
    return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : m;
  });
}

/** Drop tags (and the content of script/style), keep the text, decode entities. */
export function htmlToText(s: string): string {
  let out = s;
  if (out.includes('<')) {
    out = out.replace(DROPPED, ' ').replace(COMMENT, ' ').replace(BLOCK, ' ').replace(TAG, '');
  }
  return decodeEntities(out);
}
