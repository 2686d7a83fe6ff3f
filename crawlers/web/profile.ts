import { z } from 'zod';
import { ByteSize } from '../../config/schema.ts';
import { Channel } from '../../model/index.ts';
import { isTimeZone } from './dates.ts';

/**
 * Where a value sits inside an element. A string is a CSS selector whose text is the value; "sel@attr"
 * reads an attribute instead, and "@attr" an attribute of the element itself. The object form adds
 * `pattern`, a regular expression whose first group (or whole match) is kept: `{ selector: "li:contains('投诉对象')", pattern: "投诉对象[:：]\\s*(.+)" }`.
 */
export const Pick = z.union([
  z.string().trim().min(1, 'expected a CSS selector, "selector@attribute" or "@attribute"'),
  z.object({
    selector: z.string().trim().min(1).optional(),
    attr: z.string().trim().min(1).optional(),
    pattern: z.string().min(1).refine(validRegex, { message: 'expected a valid regular expression' }).optional(),
  }).strict(),
]);
export type Pick = z.infer<typeof Pick>;

function validRegex(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

const Selector = z.string().trim().min(1, 'expected a CSS selector');
const HttpUrl = z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' });

/** A listing page: links to threads, the next listing page, and what tells a thread has new replies. */
export const ListingProfile = z.object({
  /** Links (`a[href]`) to threads. */
  threadLink: Selector,
  /** The link to the next listing page. */
  nextPage: Selector.optional(),
  /** The row around each thread link; `replyCount` and `lastPost` are read inside it. */
  row: Selector.optional(),
  replyCount: Pick.optional(),
  lastPost: Pick.optional(),
  /** With render "playwright": wait until this selector is on a listing page before reading it. */
  waitFor: Selector.optional(),
}).strict();

/** Entries of a complaint's history (submitted, forwarded, answered, closed) kept with the item. */
export const TimelineProfile = z.object({
  entry: Selector,
  date: Pick.optional(),
  actor: Pick.optional(),
  /** What happened at this step: "发起投诉", "商家已回复", "已完成". */
  step: Pick.optional(),
  text: Pick.optional(),
}).strict();

/** A thread page: its posts, and where each post keeps its parts. Picks are read inside the post container. */
export const ThreadProfile = z.object({
  post: Selector,
  id: Pick.optional(),
  author: Pick.optional(),
  authorLink: Pick.optional(),
  date: Pick,
  body: Pick,
  replyCount: Pick.optional(),
  rating: Pick.optional(),
  /** The thread's title, read from the whole page (not inside the post). */
  title: Pick.optional(),
  nextPage: Selector.optional(),
  /** Extra context kept as item dimensions, read inside the post. */
  dimensions: z.record(z.string().regex(/^[\p{L}\p{N}_.-]{1,64}$/u, 'dimension keys use letters, digits, _ . - only'), Pick).default({}),
  timeline: TimelineProfile.optional(),
}).strict();

export const WebOptions = z.object({
  /** A built-in site profile these options refine, e.g. "heimao". */
  profile: z.string().optional(),
  /** Listing pages when `listing` is set, thread pages otherwise. */
  startUrls: z.array(HttpUrl).min(1, 'expected at least one start URL'),
  render: z.enum(['cheerio', 'playwright']).default('cheerio'),
  /** With render "playwright": wait until this selector is on a thread page before reading it. */
  waitFor: Selector.optional(),
  waitTimeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  /** "selectors" reads `thread`; "jsonld" and "microdata" read schema.org DiscussionForumPosting / Review / Comment. */
  extract: z.enum(['selectors', 'jsonld', 'microdata']).default('selectors'),
  listing: ListingProfile.optional(),
  thread: ThreadProfile.optional(),
  /** IANA zone the site prints its times in. */
  timeZone: z.string().refine(isTimeZone, { message: 'expected an IANA time zone such as "Asia/Shanghai"' }).default('UTC'),
  /** Language hint kept as the `lang` dimension. */
  lang: z.enum(['en', 'zh']).optional(),
  channel: Channel.optional(),
  respectRobotsTxt: z.boolean().default(true),
  /** Requests in flight at once per site. */
  maxConcurrency: z.number().int().min(1).max(64).default(1),
  maxRequestsPerMinute: z.number().int().min(1).max(1_000_000).default(60),
  /** Extra attempts on 408/429/5xx and network errors; Retry-After is honoured. */
  retries: z.number().int().min(0).max(10).default(3),
  backoffMs: z.number().int().min(0).max(600_000).default(2_000),
  maxRetryWaitMs: z.number().int().min(0).max(3_600_000).default(60_000),
  timeoutMs: z.number().int().min(100).max(300_000).default(20_000),
  /** Where site owners can reach the operator; goes into the user agent: `allears/<version> (+contact)`. */
  contact: z.string().trim().min(1).max(200).optional(),
  /** Page budget per run; what is left is crawled by the next runs. */
  maxPages: z.number().int().min(1).max(1_000_000).default(200),
  maxPageBytes: ByteSize.default(5 * 1024 * 1024),
  /** Follow links only to the hosts of the start URLs. */
  sameHost: z.boolean().default(true),
  /** Chromium for render "playwright"; else ALLEARS_CHROMIUM_PATH, else /usr/bin/chromium. */
  chromiumPath: z.string().min(1).optional(),
}).strict().superRefine((o, ctx) => {
  if (o.extract === 'selectors' && !o.thread) ctx.addIssue({ code: 'custom', path: ['thread'], message: 'required when extract is "selectors": say where posts are on a thread page' });
  if (o.render === 'cheerio' && o.waitFor) ctx.addIssue({ code: 'custom', path: ['waitFor'], message: 'only used with render "playwright"' });
  if (o.render === 'cheerio' && o.listing?.waitFor) ctx.addIssue({ code: 'custom', path: ['listing', 'waitFor'], message: 'only used with render "playwright"' });
});
export type WebOptions = z.infer<typeof WebOptions>;
export type WebOptionsInput = z.input<typeof WebOptions>;
export type ListingProfile = z.infer<typeof ListingProfile>;
export type ThreadProfile = z.infer<typeof ThreadProfile>;

/** Options a built-in profile supplies; the source's own options override them field by field. */
export type BuiltInProfile = Omit<Partial<WebOptionsInput>, 'startUrls' | 'profile'>;

/** A built-in profile under the source's options: objects merge one level deep, everything else is replaced. */
export function mergeProfile(base: BuiltInProfile, own: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(own)) {
    const under = out[key];
    out[key] = isPlainObject(under) && isPlainObject(value) ? { ...under, ...value } : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
