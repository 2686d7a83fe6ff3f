/**
 * A small RFC 5322 / MIME reader: enough to take the customer's words out of an e-mail (headers with
 * encoded words, quoted-printable and base64 bodies, charsets, multipart trees) and to note what is
 * attached without keeping it.
 */

export class MimeError extends Error {}

export interface Header {
  /** Lower-case header name. */
  name: string;
  /** Unfolded raw value (encoded words not yet decoded). */
  value: string;
}

export interface MimePart {
  headers: Header[];
  /** "text/plain", lower case; "text/plain" when absent (RFC 2045 default). */
  type: string;
  params: Record<string, string>;
  disposition: string | null;
  dispositionParams: Record<string, string>;
  transferEncoding: string;
  /** The body still transfer-encoded; empty for multiparts. */
  body: Buffer;
  children: MimePart[];
}

const MAX_DEPTH = 20;
const MAX_PARTS = 500;

/** First value of a header, or undefined. */
export function header(part: { headers: Header[] }, name: string): string | undefined {
  return part.headers.find((h) => h.name === name)?.value;
}

/** Parse a whole message (or a part): header block, then body; multiparts are split recursively. */
export function parseMessage(raw: Buffer): MimePart {
  const counter = { parts: 0 };
  return parsePart(raw, 0, counter, 'text/plain');
}

function parsePart(raw: Buffer, depth: number, counter: { parts: number }, defaultType: string): MimePart {
  if (depth > MAX_DEPTH) throw new MimeError(`MIME parts nested deeper than ${MAX_DEPTH} levels`);
  if (++counter.parts > MAX_PARTS) throw new MimeError(`more than ${MAX_PARTS} MIME parts`);
  const { head, body } = splitHead(raw);
  const headers = parseHeaders(head);
  const ct = parseParamHeader(header({ headers }, 'content-type') ?? defaultType);
  let type = ct.value.toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) type = 'text/plain';
  const cd = header({ headers }, 'content-disposition');
  const disp = cd ? parseParamHeader(cd) : null;
  const part: MimePart = {
    headers,
    type,
    params: ct.params,
    disposition: disp ? disp.value.toLowerCase() : null,
    dispositionParams: disp?.params ?? {},
    transferEncoding: (header({ headers }, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase(),
    body,
    children: [],
  };
  if (type.startsWith('multipart/')) {
    const boundary = ct.params.boundary;
    if (!boundary) throw new MimeError(`${type} without a boundary parameter`);
    const childType = type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    part.children = splitMultipart(body, boundary).map((b) => parsePart(b, depth + 1, counter, childType));
    part.body = Buffer.alloc(0);
  }
  return part;
}

/** Header block and body, split at the first empty line (CRLF or bare LF). */
export function splitHead(raw: Buffer): { head: string; body: Buffer } {
  let i = 0;
  // A part may start with an empty line: no headers at all.
  if (raw[0] === 0x0a) return { head: '', body: raw.subarray(1) };
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { head: '', body: raw.subarray(2) };
  for (;;) {
    const nl = raw.indexOf(0x0a, i);
    if (nl < 0) return { head: decodeHeaderBytes(raw), body: Buffer.alloc(0) };
    const next = raw[nl + 1];
    if (next === 0x0a) return { head: decodeHeaderBytes(raw.subarray(0, nl)), body: raw.subarray(nl + 2) };
    if (next === 0x0d && raw[nl + 2] === 0x0a) return { head: decodeHeaderBytes(raw.subarray(0, nl)), body: raw.subarray(nl + 3) };
    i = nl + 1;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Raw 8-bit header bytes: UTF-8 when valid (common today), else Latin-1 so nothing is lost. */
function decodeHeaderBytes(b: Buffer): string {
  try {
    return UTF8.decode(b);
  } catch {
    return b.toString('latin1');
  }
}

export function parseHeaders(head: string): Header[] {
  const out: Header[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length > 0) {
      out[out.length - 1]!.value += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    out.push({ name, value: line.slice(colon + 1).trim() });
  }
  return out;
}

/** Bodies between `--boundary` lines; the preamble and epilogue are dropped. A missing close delimiter is tolerated. */
function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const delimiter = '--' + boundary;
  const parts: Buffer[] = [];
  let start = -1;
  let pos = 0;
  for (;;) {
    const at = text.indexOf(delimiter, pos);
    if (at < 0) break;
    const lineStart = at === 0 || text[at - 1] === '\n';
    if (!lineStart) {
      pos = at + delimiter.length;
      continue;
    }
    const after = at + delimiter.length;
    const closing = text.startsWith('--', after);
    const eol = text.indexOf('\n', after);
    const rest = text.slice(after + (closing ? 2 : 0), eol < 0 ? text.length : eol);
    if (rest.trim() !== '') {
      // "--boundaryX" is a different boundary that shares a prefix.
      pos = after;
      continue;
    }
    if (start >= 0) {
      // The CRLF before the delimiter belongs to the delimiter.
      let end = at;
      if (text[end - 1] === '\n') end--;
      if (text[end - 1] === '\r') end--;
      parts.push(body.subarray(start, Math.max(start, end)));
    }
    if (closing) return parts;
    if (eol < 0) return parts;
    start = eol + 1;
    pos = start;
  }
  if (start >= 0 && start < body.length) parts.push(body.subarray(start));
  if (parts.length === 0) throw new MimeError(`no part found for boundary "${boundary}"`);
  return parts;
}

/** `value; a=b; c="d e"` with RFC 2231 continuations and charsets (`name*0*=utf-8''%E4...`). */
export function parseParamHeader(input: string): { value: string; params: Record<string, string> } {
  const pieces = splitOutsideQuotes(input, ';');
  const value = (pieces.shift() ?? '').trim();
  const plain: Record<string, string> = {};
  const extended: Record<string, Array<{ index: number; text: string; encoded: boolean }>> = {};
  for (const piece of pieces) {
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    let key = piece.slice(0, eq).trim().toLowerCase();
    let val = piece.slice(eq + 1).trim();
    if (val.startsWith('"')) val = val.replace(/^"|"$/g, '').replace(/\\(.)/g, '$1');
    const m = /^([^*]+)\*(?:(\d+)\*?|)$/.exec(key);
    if (m && key.includes('*')) {
      const encoded = key.endsWith('*');
      key = m[1]!;
      (extended[key] ??= []).push({ index: m[2] === undefined ? 0 : Number(m[2]), text: val, encoded });
      continue;
    }
    plain[key] = decodeWords(val);
  }
  for (const [key, chunks] of Object.entries(extended)) {
    chunks.sort((a, b) => a.index - b.index);
    let charset = 'utf-8';
    const bytes: number[] = [];
    chunks.forEach((c, i) => {
      let text = c.text;
      if (c.encoded && i === 0) {
        const m = /^([^']*)'[^']*'(.*)$/.exec(text);
        if (m) {
          charset = m[1] || 'utf-8';
          text = m[2]!;
        }
      }
      if (c.encoded) {
        for (let j = 0; j < text.length; j++) {
          if (text[j] === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(j + 1, j + 3))) {
            bytes.push(parseInt(text.slice(j + 1, j + 3), 16));
            j += 2;
          } else bytes.push(...Buffer.from(text[j]!, 'utf8'));
        }
      } else bytes.push(...Buffer.from(text, 'utf8'));
    });
    plain[key] = decodeCharset(Buffer.from(bytes), charset);
  }
  return { value, params: plain };
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && quoted) {
      cur += ch + (s[i + 1] ?? '');
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      cur += ch;
    } else if (ch === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/** RFC 2047 encoded words; adjacent words are joined (their bytes first, so a character split across two survives). */
export function decodeWords(s: string): string {
  if (!s.includes('=?')) return s;
  const out: string[] = [];
  let last = 0;
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = () => {
    if (pending) out.push(decodeCharset(Buffer.concat(pending.bytes), pending.charset));
    pending = null;
  };
  for (const m of s.matchAll(ENCODED_WORD)) {
    const between = s.slice(last, m.index);
    // Whitespace between two encoded words is not part of the text.
    if (!(pending && /^\s*$/.test(between))) {
      flush();
      out.push(between);
    }
    const charset = m[1]!.split('*')[0]!.toLowerCase();
    const bytes = m[2]!.toLowerCase() === 'b'
      ? Buffer.from(m[3]!, 'base64')
      : decodeQuotedPrintable(Buffer.from(m[3]!.replace(/_/g, ' '), 'latin1'));
    const p = pending as { charset: string; bytes: Buffer[] } | null;
    if (p && p.charset === charset) p.bytes.push(bytes);
    else {
      flush();
      pending = { charset, bytes: [bytes] };
    }
    last = m.index + m[0].length;
  }
  flush();
  out.push(s.slice(last));
  return out.join('');
}

export function decodeQuotedPrintable(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    const h = b.subarray(i + 1, i + 3).toString('latin1');
    if (/^[0-9a-fA-F]{2}$/.test(h)) {
      out[n++] = parseInt(h, 16);
      i += 2;
      continue;
    }
    // Soft line break: "=" then optional trailing whitespace, then (CR)LF.
    let j = i + 1;
    while (b[j] === 0x20 || b[j] === 0x09) j++;
    if (b[j] === 0x0d && b[j + 1] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (b[j] === 0x0a) {
      i = j;
      continue;
    }
    out[n++] = c;
  }
  return out.subarray(0, n);
}

/** Body bytes with the transfer encoding undone. */
export function decodeBody(part: MimePart): Buffer {
  switch (part.transferEncoding) {
    case 'base64':
      return Buffer.from(part.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(part.body);
    default:
      return part.body;
  }
}

const ALIASES: Record<string, string> = { 'gb2312': 'gb18030', 'gbk': 'gb18030', 'x-gbk': 'gb18030', 'cp936': 'gb18030', 'ks_c_5601-1987': 'euc-kr', 'utf8': 'utf-8', 'ascii': 'utf-8', 'us-ascii': 'utf-8' };

/** Bytes in a declared charset; unknown charsets are read as UTF-8 (with replacement characters where that fails). */
export function decodeCharset(b: Buffer, charset: string | undefined): string {
  const label = (charset ?? 'utf-8').trim().toLowerCase();
  const name = ALIASES[label] ?? label;
  try {
    return new TextDecoder(name).decode(b);
  } catch {
    return new TextDecoder('utf-8').decode(b);
  }
}

/** The decoded text of a text/* part. */
export function partText(part: MimePart): string {
  return decodeCharset(decodeBody(part), part.params.charset);
}

export interface Address {
  name?: string;
  address?: string;
}

/** First mailbox of an address header: `"Name" <a@b>`, `Name <a@b>`, `a@b (Name)` or `a@b`. */
export function parseAddress(value: string | undefined): Address | undefined {
  if (!value) return undefined;
  const first = splitOutsideQuotes(value, ',').find((s) => s.trim() !== '') ?? '';
  const angle = /^(.*)<([^<>]*)>\s*(?:\(.*\))?\s*$/.exec(first.trim());
  let name: string | undefined;
  let address: string | undefined;
  if (angle) {
    name = angle[1]!.trim().replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1');
    address = angle[2]!.trim();
  } else {
    const comment = /^([^\s()]+)\s*\((.*)\)\s*$/.exec(first.trim());
    if (comment) {
      address = comment[1];
      name = comment[2];
    } else address = first.trim();
  }
  name = name ? decodeWords(name).trim() : undefined;
  if (address && !address.includes('@')) {
    // A bare display name without an address.
    name ??= decodeWords(address);
    address = undefined;
  }
  const out: Address = {};
  if (name) out.name = name;
  if (address) out.address = address.toLowerCase();
  return out.name || out.address ? out : undefined;
}

/** Message ids in a header (`<a@b> <c@d>`), without angle brackets, in order. */
export function messageIds(value: string | undefined): string[] {
  if (!value) return [];
  const ids = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  if (ids.length === 0 && /^[^\s<>]+@[^\s<>]+$/.test(value.trim())) ids.push(value.trim());
  return ids;
}

/** An RFC 5322 date (comments such as "(CST)" allowed) as a Date, or undefined. */
export function parseDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const cleaned = value.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  const m = /^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]{1,5})?$/.exec(cleaned);
  if (m) {
    const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
    const month = months.indexOf(m[2]!.toLowerCase());
    if (month < 0) return undefined;
    let year = Number(m[3]);
    if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
    const zone = m[7] ?? '+0000';
    let offsetMin = 0;
    if (/^[+-]\d{4}$/.test(zone)) {
      offsetMin = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * (zone[0] === '-' ? -1 : 1);
    } else {
      const named: Record<string, number> = { ut: 0, utc: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 };
      offsetMin = named[zone.toLowerCase()] ?? 0;
    }
    const t = Date.UTC(year, month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)) - offsetMin * 60_000;
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  const d = new Date(cleaned);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
