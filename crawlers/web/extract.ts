import { createHash } from 'node:crypto';
import { load, type Cheerio, type CheerioAPI, type Element } from 'cheerio';
import type { ListingProfile, Pick, ThreadProfile } from './profile.ts';

/** One post as the page shows it, before dates are read and the item is built. */
export interface PagePost {
  id: string;
  /** True when the page gave no id and one was derived from the post's content. */
  derivedId: boolean;
  parentId?: string;
  author?: { name?: string; url?: string };
  /** The date as printed; read later in the site's zone. */
  date?: string;
  body: string;
  title?: string;
  replyCount?: number;
  rating?: number;
  dimensions: Record<string, string>;
  timeline?: Array<{ date?: string; actor?: string; step?: string; text?: string }>;
}

export interface ThreadLink {
  url: string;
  /** Reply count and last-post text from the listing: when it changes, the thread has new replies. */
  signature: string | null;
}

export function parseHtml(html: string): CheerioAPI {
  return load(html);
}

/** A link's absolute URL without its fragment, or null when it is not http(s). */
export function absolute(href: string | undefined, base: string): string | null {
  if (!href) return null;
  try {
    const url = new URL(href.trim(), base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}

function shorthand(p: Pick): { selector?: string; attr?: string; pattern?: string } {
  if (typeof p !== 'string') return p;
  const m = /^(.*?)@([\w:.-]+)$/.exec(p);
  return m ? { selector: m[1]!.trim() || undefined, attr: m[2] } : { selector: p };
}

/** Text with line breaks where the page breaks lines (br, paragraphs, list items), spaces collapsed. */
export function textOf($: CheerioAPI, el: Cheerio<Element>): string {
  const copy = el.clone();
  copy.find('script, style, noscript, template').remove();
  copy.find('br').replaceWith('\n');
  copy.find('p, div, li, blockquote, h1, h2, h3, h4, h5, h6, tr, pre').each((_, e) => {
    $(e).prepend('\n').append('\n');
  });
  return copy.text()
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\u00a0\u3000]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Read a `Pick` inside `scope`; undefined when absent or empty. */
export function pick($: CheerioAPI, scope: Cheerio<Element>, p: Pick | undefined): string | undefined {
  if (p === undefined) return undefined;
  const { selector, attr, pattern } = shorthand(p);
  const el = selector ? scope.find(selector).first() : scope.first();
  if (!el.length) return undefined;
  let value = attr ? el.attr(attr) : textOf($, el as Cheerio<Element>);
  if (value === undefined) return undefined;
  if (pattern) {
    const m = new RegExp(pattern, 'u').exec(value);
    if (!m) return undefined;
    value = m[1] ?? m[0];
  }
  value = value.trim();
  return value === '' ? undefined : value;
}

/** "1,234 replies" → 1234; "4.5/5" → 4.5. */
export function numberIn(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /-?\d[\d,]*(?:\.\d+)?/.exec(text);
  if (!m) return undefined;
  const n = Number(m[0].replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

export function contentId(...parts: Array<string | undefined>): string {
  return `h-${createHash('sha1').update(parts.map((p) => p ?? '').join('\u0000')).digest('hex').slice(0, 16)}`;
}

export function readListing($: CheerioAPI, pageUrl: string, listing: ListingProfile): { threads: ThreadLink[]; next: string | null } {
  const threads: ThreadLink[] = [];
  const seen = new Set<string>();
  const rows = listing.row ? $(listing.row).toArray() : $(listing.threadLink).toArray();
  for (const node of rows) {
    const row = $(node) as Cheerio<Element>;
    const link = listing.row ? row.find(listing.threadLink).first() : row;
    const url = absolute(link.attr('href'), pageUrl);
    if (!url || seen.has(url)) continue;
    seen.add(url);
    const parts = listing.row && (listing.replyCount || listing.lastPost)
      ? [pick($, row, listing.replyCount) ?? '', pick($, row, listing.lastPost) ?? '']
      : null;
    threads.push({ url, signature: parts ? parts.join('|') : null });
  }
  return { threads, next: listing.nextPage ? absolute($(listing.nextPage).first().attr('href'), pageUrl) : null };
}

export function nextLink($: CheerioAPI, pageUrl: string, selector: string | undefined): string | null {
  return selector ? absolute($(selector).first().attr('href'), pageUrl) : null;
}

/** Posts of a thread page by the profile's selectors. */
export function readPostsBySelectors($: CheerioAPI, pageUrl: string, thread: ThreadProfile): PagePost[] {
  const title = pick($, $.root() as unknown as Cheerio<Element>, thread.title);
  const timeline = thread.timeline
    ? $(thread.timeline.entry).toArray().map((e) => {
      const entry = $(e) as Cheerio<Element>;
      const t = thread.timeline!;
      return { date: pick($, entry, t.date), actor: pick($, entry, t.actor), step: pick($, entry, t.step), text: pick($, entry, t.text) };
    })
    : undefined;
  return $(thread.post).toArray().map((node) => {
    const post = $(node) as Cheerio<Element>;
    const body = pick($, post, thread.body) ?? '';
    const author = pick($, post, thread.author);
    const authorUrl = absolute(pick($, post, thread.authorLink), pageUrl) ?? undefined;
    const date = pick($, post, thread.date);
    const ownId = pick($, post, thread.id);
    const dimensions: Record<string, string> = {};
    for (const [key, p] of Object.entries(thread.dimensions)) {
      const value = pick($, post, p);
      if (value !== undefined) dimensions[key] = value.slice(0, 500);
    }
    return {
      id: ownId ?? contentId(pageUrl.split('?')[0], author, body.slice(0, 500)),
      derivedId: ownId === undefined,
      author: author || authorUrl ? { name: author, url: authorUrl } : undefined,
      date,
      body,
      title,
      replyCount: numberIn(pick($, post, thread.replyCount)),
      rating: numberIn(pick($, post, thread.rating)),
      dimensions,
      timeline,
    };
  });
}

// ---- schema.org: JSON-LD and microdata ------------------------------------------------------

type Node = Record<string, unknown>;

const POST_TYPES = new Set(['DiscussionForumPosting', 'SocialMediaPosting', 'Review', 'Comment', 'Question', 'Answer', 'UserComments', 'CriticReview', 'EmployerReview']);

/** JSON-LD blocks of a page; a block that does not parse is reported and skipped. */
export function jsonLdNodes($: CheerioAPI): { nodes: unknown[]; errors: string[] } {
  const nodes: unknown[] = [];
  const errors: string[] = [];
  $('script[type="application/ld+json"]').each((i, el) => {
    const text = $(el).text();
    try {
      nodes.push(JSON.parse(text));
    } catch (err) {
      errors.push(`JSON-LD block ${i + 1} does not parse (${(err as Error).message})`);
    }
  });
  return { nodes, errors };
}

/** Top-level microdata items of a page as JSON-LD-like objects. */
export function microdataNodes($: CheerioAPI): unknown[] {
  return $('[itemscope]').toArray()
    .filter((el) => $(el).attr('itemprop') === undefined)
    .map((el) => microItem($, $(el) as Cheerio<Element>));
}

function microItem($: CheerioAPI, el: Cheerio<Element>): Node {
  const type = el.attr('itemtype')?.trim().split(/\s+/)[0];
  const obj: Node = { '@type': type ? type.replace(/\/+$/, '').split('/').pop() : undefined };
  const itemId = el.attr('itemid');
  if (itemId) obj['@id'] = itemId;
  el.find('[itemprop]').each((_, p) => {
    const prop = $(p) as Cheerio<Element>;
    if (prop.parent().closest('[itemscope]')[0] !== el[0]) return;
    const value = prop.is('[itemscope]') ? microItem($, prop) : microValue($, prop);
    for (const name of (prop.attr('itemprop') ?? '').split(/\s+/).filter(Boolean)) {
      const prev = obj[name];
      obj[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
  });
  return obj;
}

function microValue($: CheerioAPI, el: Cheerio<Element>): string {
  const tag = (el[0]?.tagName ?? '').toLowerCase();
  if (tag === 'meta') return el.attr('content') ?? '';
  if (['a', 'link', 'area'].includes(tag)) return el.attr('href') ?? '';
  if (['img', 'audio', 'video', 'source', 'iframe', 'embed'].includes(tag)) return el.attr('src') ?? '';
  if (tag === 'time') return el.attr('datetime') ?? el.text().trim();
  if (tag === 'data' || tag === 'meter') return el.attr('value') ?? el.text().trim();
  return el.attr('content') ?? textOf($, el);
}

function types(node: Node): string[] {
  const t = node['@type'];
  return (Array.isArray(t) ? t : [t]).filter((x): x is string => typeof x === 'string').map((x) => x.replace(/^.*[/#:]/, ''));
}

function list(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return str(v[0]);
  if (v && typeof v === 'object' && '@value' in v) return str((v as Node)['@value']);
  return undefined;
}

function num(v: unknown): number | undefined {
  const s = str(v);
  return s === undefined ? undefined : numberIn(s);
}

function replyCount(node: Node): number | undefined {
  const direct = num(node.commentCount) ?? num(node.answerCount);
  if (direct !== undefined) return direct;
  for (const stat of list(node.interactionStatistic)) {
    if (!stat || typeof stat !== 'object') continue;
    const kind = JSON.stringify((stat as Node).interactionType ?? '');
    if (/Comment|Reply/i.test(kind)) return num((stat as Node).userInteractionCount);
  }
  return undefined;
}

/** Postings, reviews and comments (nested ones with their parent) from schema.org objects. */
export function readSchemaOrgPosts(roots: unknown[], pageUrl: string): PagePost[] {
  const out: PagePost[] = [];
  const walk = (value: unknown, parentId: string | undefined, title: string | undefined): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, parentId, title);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const node = value as Node;
    if (!types(node).some((t) => POST_TYPES.has(t))) {
      for (const [key, v] of Object.entries(node)) if (key !== '@context') walk(v, parentId, title);
      return;
    }
    const post = schemaPost(node, pageUrl, parentId, title);
    out.push(post);
    const nextTitle = title ?? post.title;
    for (const key of ['comment', 'acceptedAnswer', 'suggestedAnswer', 'hasPart']) walk(node[key], post.id, nextTitle);
  };
  for (const root of roots) walk(root, undefined, undefined);
  return out;
}

function schemaPost(node: Node, pageUrl: string, parentId: string | undefined, threadTitle: string | undefined): PagePost {
  const authorNode = list(node.author)[0];
  const author = typeof authorNode === 'string'
    ? { name: authorNode }
    : authorNode && typeof authorNode === 'object'
      ? { name: str((authorNode as Node).name) ?? str((authorNode as Node).alternateName), url: absolute(str((authorNode as Node).url), pageUrl) ?? undefined }
      : undefined;
  const body = str(node.text) ?? str(node.articleBody) ?? str(node.reviewBody) ?? str(node.description) ?? '';
  const date = str(node.datePublished) ?? str(node.dateCreated) ?? str(node.uploadDate);
  const ownId = str(node.identifier) ?? str(node['@id']) ?? str(node.url);
  const rating = node.reviewRating && typeof node.reviewRating === 'object' ? num((node.reviewRating as Node).ratingValue) : undefined;
  return {
    id: ownId ?? contentId(pageUrl.split('?')[0], author?.name, body.slice(0, 500)),
    derivedId: ownId === undefined,
    parentId,
    author: author && (author.name || author.url) ? author : undefined,
    date,
    body,
    title: str(node.headline) ?? (parentId ? undefined : str(node.name)) ?? threadTitle,
    replyCount: replyCount(node),
    rating,
    dimensions: {},
  };
}
