import { elements, parseXml, textOf, type XmlElement, type XmlProblem } from './xml.ts';

/** One item of an RSS 0.9x/1.0/2.0 or Atom feed, as the feed wrote it. */
export interface FeedEntry {
  /** guid / id / rdf:about / link: whatever identifies the item best. */
  id?: string;
  link?: string;
  title?: string;
  /** content:encoded / content / description / summary, raw: HTML is stripped later by the pipeline. */
  text?: string;
  author?: string;
  authorUri?: string;
  /** ISO 8601, or undefined when the feed gives no date it is possible to read. */
  publishedAt?: string;
  categories: string[];
  line: number;
}

export interface ParsedFeed {
  format: 'rss' | 'rdf' | 'atom' | 'unknown';
  title?: string;
  /** The feed's own date (lastBuildDate, pubDate, updated), ISO. */
  updatedAt?: string;
  entries: FeedEntry[];
  problems: XmlProblem[];
}

/** Parse a feed. Entries read before the document breaks are kept; `problems` says what broke and where. */
export function parseFeed(xml: string, baseUrl?: string): ParsedFeed {
  const doc = parseXml(xml);
  const top = elements(doc.root).find((e) => ['rss', 'rdf', 'feed'].includes(e.local));
  const format = !top ? 'unknown' : top.local === 'feed' ? 'atom' : top.local === 'rdf' ? 'rdf' : 'rss';
  const channel = top && format !== 'atom' ? elements(top).find((e) => e.local === 'channel') : top;
  const entries: FeedEntry[] = [];
  for (const el of collectItems(doc.root)) {
    // An item cut off by a broken document may be missing fields: keep only complete ones.
    if (!el.closed) continue;
    entries.push(readEntry(el, doc.source, baseUrl));
  }
  const title = channel ? text(channel, doc.source, ['title']) : undefined;
  const updated = channel ? text(channel, doc.source, ['lastbuilddate', 'pubdate', 'updated', '*:date']) : undefined;
  return { format, title, updatedAt: updated ? parseFeedDate(updated) : undefined, entries, problems: doc.problems };
}

function collectItems(el: XmlElement, out: XmlElement[] = []): XmlElement[] {
  for (const child of elements(el)) {
    if (child.local === 'item' || child.local === 'entry') {
      if (child.prefix === '' || child.prefix === 'rss' || child.prefix === 'atom') out.push(child);
    } else {
      collectItems(child, out);
    }
  }
  return out;
}

function readEntry(el: XmlElement, source: string, baseUrl?: string): FeedEntry {
  const link = readLink(el, source, baseUrl);
  const guid = text(el, source, ['guid', 'id']);
  const about = el.attrs['rdf:about'];
  const authorEl = find(el, ['author']);
  const authorName = authorEl && elements(authorEl).length > 0 ? text(authorEl, source, ['name']) : undefined;
  const date = text(el, source, ['pubdate', 'published', '*:date', '*:issued', 'updated', '*:modified']);
  return {
    id: guid ?? about ?? link,
    link,
    title: text(el, source, ['title']),
    text: text(el, source, ['*:encoded', 'content', 'description', 'summary']),
    author: authorName ?? (authorEl && elements(authorEl).length === 0 ? text(el, source, ['author']) : undefined) ?? text(el, source, ['*:creator']),
    authorUri: authorEl ? absoluteUrl(text(authorEl, source, ['uri']), baseUrl) : undefined,
    publishedAt: date ? parseFeedDate(date) : undefined,
    categories: elements(el).filter((c) => c.local === 'category' && c.prefix === '')
      .map((c) => (c.attrs.term ?? textOf(c, source)).trim()).filter(Boolean),
    line: el.line,
  };
}

/** Atom: the alternate link (or the first with an href); RSS: the link's text. Relative links resolve against the feed. */
function readLink(el: XmlElement, source: string, baseUrl?: string): string | undefined {
  const links = elements(el).filter((c) => c.local === 'link' && (c.prefix === '' || c.prefix === 'atom'));
  const atom = links.filter((l) => l.attrs.href);
  const chosen = atom.find((l) => (l.attrs.rel ?? 'alternate') === 'alternate') ?? atom[0];
  const href = chosen ? chosen.attrs.href : links.map((l) => textOf(l, source).trim()).find(Boolean);
  return absoluteUrl(href, el.attrs['xml:base'] ? absoluteUrl(el.attrs['xml:base'], baseUrl) ?? baseUrl : baseUrl);
}

export function absoluteUrl(href: string | undefined, base?: string): string | undefined {
  if (!href?.trim()) return undefined;
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The first non-empty field among `names`; "*:x" matches x under any namespace prefix, "x" only unprefixed. */
function text(el: XmlElement, source: string, names: string[]): string | undefined {
  for (const name of names) {
    const found = find(el, [name]);
    const value = found ? textOf(found, source).trim() : '';
    if (value) return value;
  }
  return undefined;
}

function find(el: XmlElement, names: string[]): XmlElement | undefined {
  for (const name of names) {
    const any = name.startsWith('*:');
    const local = any ? name.slice(2) : name;
    const hit = elements(el).find((c) => c.local === local && (any ? c.prefix !== '' : c.prefix === '' || c.prefix === 'atom'));
    if (hit) return hit;
  }
  return undefined;
}

// Feeds in Portuguese, Spanish, French and German write month and day names in their language.
const MONTHS: Record<string, string> = {
  jan: 'Jan', ene: 'Jan', janv: 'Jan', fev: 'Feb', fév: 'Feb', feb: 'Feb', fevr: 'Feb', mar: 'Mar', mär: 'Mar', mars: 'Mar',
  abr: 'Apr', apr: 'Apr', avr: 'Apr', mai: 'May', may: 'May', mayo: 'May', jun: 'Jun', juin: 'Jun', jul: 'Jul', juil: 'Jul',
  ago: 'Aug', aug: 'Aug', août: 'Aug', aout: 'Aug', set: 'Sep', sep: 'Sep', sept: 'Sep', out: 'Oct', oct: 'Oct', okt: 'Oct',
  nov: 'Nov', dez: 'Dec', dic: 'Dec', dec: 'Dec', déc: 'Dec',
};

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const RFC822 = /^(?:[^\d,]+,\s*)?(\d{1,2})\s+([^\s\d.]+)\.?\s+(\d{2}|\d{4})\s+(\d{1,2}):?(\d{2})(?::(\d{2}))?\s*([A-Z]{1,4}|[+-]\d{4})?$/iu;

/**
 * RFC 822 (RSS), RFC 3339 (Atom, Dublin Core) and the looser variants found in the wild → ISO, or
 * undefined. Strict on shape: Date.parse alone accepts nearly anything and guesses wrong quietly.
 */
export function parseFeedDate(value: string): string | undefined {
  const text = value.trim().replace(/\s+/g, ' ');
  let ms = Number.NaN;
  const iso = ISO.exec(text);
  const rfc = iso ? null : RFC822.exec(text);
  if (iso) {
    // No zone written: UTC, rather than whatever zone this server runs in.
    ms = Date.parse(iso[2] ? `${iso[1]}T${iso[2]}${iso[3] ?? 'Z'}` : `${iso[1]}T00:00:00Z`);
  } else if (rfc) {
    // Feeds in Portuguese, Spanish, French or German write the month in their language ("Seg, 24 Set 2018").
    const name = rfc[2]!.toLowerCase();
    const month = MONTHS[name.slice(0, 4)] ?? MONTHS[name.slice(0, 3)];
    const year = rfc[3]!.length === 2 ? `20${rfc[3]}` : rfc[3];
    if (month) ms = Date.parse(`${rfc[1]} ${month} ${year} ${rfc[4]}:${rfc[5]}:${rfc[6] ?? '00'} ${rfc[7] ?? 'GMT'}`);
  }
  if (Number.isNaN(ms)) return undefined;
  const year = new Date(ms).getUTCFullYear();
  return year >= 1990 && year <= 2200 ? new Date(ms).toISOString() : undefined;
}

/** Bytes → text: the HTTP charset, else the XML declaration, else UTF-8, else Windows-1252 (what undeclared Latin feeds are). */
export function decodeFeed(bytes: Uint8Array, contentType = ''): string {
  const head = Buffer.from(bytes.subarray(0, 4));
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes);
  if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  const declared = /charset="?([\w.:-]+)/i.exec(contentType)?.[1];
  const xmlDecl = /^\s*<\?xml[^>]*encoding=["']([\w.:-]+)["']/i.exec(Buffer.from(bytes.subarray(0, 200)).toString('latin1'))?.[1];
  for (const label of [declared, xmlDecl, 'utf-8']) {
    if (!label) continue;
    try {
      return new TextDecoder(label, { fatal: true }).decode(bytes);
    } catch {
      // Wrong or unknown label: try the next guess.
    }
  }
  return new TextDecoder('windows-1252').decode(bytes);
}
