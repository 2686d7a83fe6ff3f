import { z } from 'zod';
import type { Channel, RawItemInput } from '../../model/index.ts';
import { elements, parseXml, textOf, type XmlElement } from '../rss/xml.ts';

/** One customer review, read from either feed format. */
export interface AppReview {
  id: string;
  /** ISO; the XML feed dates each review, the JSON feed does not. */
  updated?: string;
  title?: string;
  text: string;
  rating?: number;
  version?: string;
  authorName?: string;
  authorUri?: string;
  link?: string;
  voteSum?: number;
  voteCount?: number;
}

export interface ReviewPage {
  reviews: AppReview[];
  /** Entries that are not reviews (the app itself, on some first pages) or lack an id. */
  skipped: string[];
  /** The feed's own date, ISO. */
  updated?: string;
  /** From the rel="last" link: how many pages the feed has. */
  lastPage?: number;
  /** The XML broke at this point; the reviews before it are kept. */
  broken?: string;
}

const Label = z.looseObject({ label: z.string() });
const JsonEntry = z.looseObject({
  id: Label,
  updated: Label.optional(),
  title: Label.optional(),
  content: Label.optional(),
  'im:rating': Label.optional(),
  'im:version': Label.optional(),
  'im:voteSum': Label.optional(),
  'im:voteCount': Label.optional(),
  author: z.looseObject({ name: Label.optional(), uri: Label.optional() }).optional(),
  link: z.union([
    z.looseObject({ attributes: z.looseObject({ href: z.string().optional(), rel: z.string().optional() }) }),
    z.array(z.looseObject({ attributes: z.looseObject({ href: z.string().optional(), rel: z.string().optional() }) })),
  ]).optional(),
});
const LinkList = z.union([z.array(z.unknown()), z.unknown()]);

/** `{feed: {entry: [...] | {...}, updated, link}}`; a feed without reviews has no `entry` at all. */
export const JsonFeed = z.looseObject({
  feed: z.looseObject({
    entry: z.union([z.array(z.unknown()), z.looseObject({})]).optional(),
    updated: Label.optional(),
    link: LinkList.optional(),
  }),
});

export function parseJsonReviews(data: z.infer<typeof JsonFeed>): ReviewPage {
  const feed = data.feed;
  const entries = feed.entry === undefined ? [] : Array.isArray(feed.entry) ? feed.entry : [feed.entry];
  const reviews: AppReview[] = [];
  const skipped: string[] = [];
  for (const raw of entries) {
    const e = JsonEntry.safeParse(raw);
    if (!e.success) {
      skipped.push(`entry without an id skipped`);
      continue;
    }
    const d = e.data;
    // The app's own entry (im:name, im:price…) has no rating: it is not a review.
    if (!d['im:rating']) continue;
    const links = d.link === undefined ? [] : Array.isArray(d.link) ? d.link : [d.link];
    reviews.push(clean({
      id: d.id.label.trim(),
      updated: d.updated?.label,
      title: d.title?.label,
      text: d.content?.label ?? '',
      rating: toNumber(d['im:rating']?.label),
      version: d['im:version']?.label,
      authorName: d.author?.name?.label,
      authorUri: d.author?.uri?.label,
      link: links.find((l) => (l.attributes.rel ?? 'related') === 'related')?.attributes.href ?? links[0]?.attributes.href,
      voteSum: toNumber(d['im:voteSum']?.label),
      voteCount: toNumber(d['im:voteCount']?.label),
    }));
  }
  const feedLinks = (Array.isArray(feed.link) ? feed.link : [feed.link]) as Array<{ attributes?: { rel?: string; href?: string } } | undefined>;
  const last = feedLinks.find((l) => l?.attributes?.rel === 'last')?.attributes?.href;
  return { reviews, skipped, updated: feed.updated?.label, lastPage: pageOf(last) };
}

/** The Atom (XML) feed; reviews read before a break in the document are kept. */
export function parseXmlReviews(xml: string): ReviewPage {
  const doc = parseXml(xml);
  const feed = elements(doc.root).find((e) => e.local === 'feed');
  const reviews: AppReview[] = [];
  const skipped: string[] = [];
  const fatal = doc.problems.find((p) => p.fatal);
  if (!feed) return { reviews, skipped, ...(fatal ? { broken: `line ${fatal.line}: ${fatal.message}` } : {}) };
  const child = (el: XmlElement, local: string, prefix = '') => elements(el).find((c) => c.local === local && c.prefix === prefix);
  const text = (el: XmlElement | undefined) => (el ? textOf(el, doc.source) : undefined);
  for (const entry of elements(feed).filter((e) => e.local === 'entry')) {
    // An entry cut off by a broken document may be missing fields.
    if (!entry.closed) continue;
    const id = text(child(entry, 'id'))?.trim();
    if (!id) {
      skipped.push(`entry at line ${entry.line} without an id skipped`);
      continue;
    }
    const rating = child(entry, 'rating', 'im');
    if (!rating) continue;
    // Each review has its words twice: as text and as an HTML table. The text one is the review.
    const contents = elements(entry).filter((c) => c.local === 'content' && c.prefix === '');
    const content = contents.find((c) => (c.attrs.type ?? 'text') === 'text') ?? contents[0];
    const author = child(entry, 'author');
    const link = elements(entry).find((c) => c.local === 'link' && c.attrs.href);
    reviews.push(clean({
      id,
      updated: text(child(entry, 'updated'))?.trim(),
      title: text(child(entry, 'title')),
      text: text(content) ?? '',
      rating: toNumber(text(rating)),
      version: text(child(entry, 'version', 'im'))?.trim(),
      authorName: author ? text(child(author, 'name')) : undefined,
      authorUri: author ? text(child(author, 'uri'))?.trim() : undefined,
      link: link?.attrs.href,
      voteSum: toNumber(text(child(entry, 'votesum', 'im'))),
      voteCount: toNumber(text(child(entry, 'votecount', 'im'))),
    }));
  }
  const last = elements(feed).find((e) => e.local === 'link' && e.attrs.rel === 'last')?.attrs.href;
  return {
    reviews, skipped, updated: text(child(feed, 'updated'))?.trim(), lastPage: pageOf(last),
    ...(fatal ? { broken: `line ${fatal.line}: ${fatal.message}` } : {}),
  };
}

export interface ReviewContext {
  sourceId: string;
  channel: Channel;
  appId: string;
  country: string;
  /** For reviews the feed does not date (JSON): the feed's date, or the time of reading. */
  fallbackDate: string;
}

/** A review → a RawItem; stars, app version and storefront country become dimensions. */
export function reviewToRawItem(r: AppReview, ctx: ReviewContext): RawItemInput {
  const dated = r.updated !== undefined && !Number.isNaN(Date.parse(r.updated));
  const dims: Record<string, string> = { country: ctx.country, app: ctx.appId };
  if (r.rating !== undefined) dims.rating = String(r.rating);
  if (r.version) dims.version = r.version.slice(0, 500);
  const author = r.authorName || r.authorUri
    ? { ...(r.authorUri ? { id: r.authorUri } : {}), ...(r.authorName ? { name: r.authorName } : {}) }
    : undefined;
  return {
    source: { id: ctx.sourceId, kind: 'appstore', name: 'App Store' },
    channel: ctx.channel,
    externalId: r.id,
    url: r.link && /^https?:\/\//.test(r.link) ? r.link : `https://apps.apple.com/${ctx.country}/app/id${ctx.appId}?see-all=reviews`,
    ...(author ? { author } : {}),
    ...(r.title?.trim() ? { title: r.title } : {}),
    text: r.text,
    publishedAt: dated ? new Date(r.updated!).toISOString() : ctx.fallbackDate,
    ...(r.voteSum !== undefined && r.voteSum >= 0 ? { engagement: { likes: r.voteSum } } : {}),
    dimensions: dims,
    raw: { rating: r.rating ?? null, version: r.version ?? null, votes: r.voteCount ?? null, dated },
  };
}

function pageOf(href: string | undefined): number | undefined {
  const m = href ? /\/page=(\d+)\//.exec(href) : null;
  return m ? Number(m[1]) : undefined;
}

function toNumber(s: string | undefined): number | undefined {
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isInteger(n) ? n : undefined;
}

function clean(r: AppReview): AppReview {
  for (const key of Object.keys(r) as Array<keyof AppReview>) if (r[key] === undefined) delete r[key];
  return r;
}
