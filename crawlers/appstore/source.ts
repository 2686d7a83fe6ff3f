import { z } from 'zod';
import type { SourceConfig } from '../../config/schema.ts';
import { AllearsError, ConfigError, zodDetails } from '../../model/errors.ts';
import { Channel, RawItem, type RawItemInput } from '../../model/index.ts';
import type { IncrementalRunInput, IncrementalRunResult, IncrementalSource } from '../checkpoint.ts';
import { getJson, politeGet, type FetchOptions } from '../http.ts';
import { EMPTY_FENCE, Fence, FenceReader } from '../fence.ts';
import { decodeFeed } from '../rss/feed.ts';
import { JsonFeed, parseJsonReviews, parseXmlReviews, reviewToRawItem, type ReviewPage } from './reviews.ts';

export const AppStoreOptions = z.object({
  /** The app's numeric id, as in apps.apple.com/…/id123456789. */
  appId: z.union([z.string(), z.number().int()]).transform(String).pipe(z.string().regex(/^\d{5,12}$/, 'expected the numeric App Store id, e.g. "1404176564"')),
  /** Storefronts to read, as two-letter country codes. */
  countries: z.array(z.string().regex(/^[a-zA-Z]{2}$/, 'expected a two-letter country code such as "us"').transform((c) => c.toLowerCase())).min(1).default(['us']),
  format: z.enum(['json', 'xml']).default('json'),
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://itunes.apple.com'),
  /** Apple serves at most 10 pages of 50 reviews. */
  maxPages: z.number().int().min(1).max(10).default(10),
  channel: Channel.optional(),
});
export type AppStoreOptions = z.infer<typeof AppStoreOptions>;

/** Per storefront, the highest review id read (review ids grow with time) and the ids at it. */
export const AppStoreCheckpoint = z.object({ countries: z.record(z.string(), Fence) });
export type AppStoreCheckpoint = z.infer<typeof AppStoreCheckpoint>;

export interface AppStoreDeps {
  http?: FetchOptions;
  now?: () => Date;
}

/** Kind `appstore`: an app's customer reviews from the App Store RSS feeds, newest first, per storefront. */
export function appStoreSource(config: SourceConfig, deps: AppStoreDeps = {}): IncrementalSource {
  const parsed = AppStoreOptions.safeParse(config.options);
  if (!parsed.success) throw new ConfigError(`source ${config.id}: invalid appstore options`, zodDetails(parsed.error.issues, `sources.${config.id}.options`));
  const opts = parsed.data;
  const channel = opts.channel ?? config.channel ?? 'review';
  const base = opts.baseUrl.replace(/\/+$/, '');

  async function runFrom({ signal, checkpoint }: IncrementalRunInput): Promise<IncrementalRunResult> {
    const previous = AppStoreCheckpoint.safeParse(checkpoint ?? undefined);
    const warnings: string[] = [];
    if (checkpoint != null && !previous.success) warnings.push('checkpoint unreadable; reading every review the feeds still hold');
    const start = previous.success ? previous.data.countries : {};
    const next: Record<string, Fence> = { ...start };
    const items: RawItemInput[] = [];
    const errors: unknown[] = [];
    for (const country of [...new Set(opts.countries)]) {
      const reader = new FenceReader(start[country] ?? EMPTY_FENCE);
      try {
        await readCountry(country, reader, signal, items, warnings);
        next[country] = reader.next();
      } catch (err) {
        if (signal.aborted) throw err;
        // One storefront failing does not stop the others; its fence stays, so it is read again next run.
        errors.push(err);
        warnings.push(`${country}: stopped early: ${(err as Error).message}`);
      }
    }
    if (errors.length === new Set(opts.countries).size && items.length === 0) throw errors[0];
    return { items, checkpoint: { countries: next }, warnings };
  }

  async function readCountry(country: string, reader: FenceReader, signal: AbortSignal, items: RawItemInput[], warnings: string[]): Promise<void> {
    const seen = new Set<string>();
    for (let page = 1; page <= opts.maxPages; page++) {
      const url = feedUrl(base, opts, country, page);
      const feed = await fetchPage(url, signal);
      warnings.push(...feed.skipped.map((s) => `${country} page ${page}: ${s}`));
      const fallbackDate = feed.updated && !Number.isNaN(Date.parse(feed.updated)) ? new Date(feed.updated).toISOString() : (deps.now?.() ?? new Date()).toISOString();
      let fresh = 0;
      for (const review of feed.reviews) {
        const at = Number(review.id);
        if (!Number.isSafeInteger(at)) {
          warnings.push(`${country}: review "${review.id.slice(0, 40)}" skipped: id is not numeric`);
          continue;
        }
        if (seen.has(review.id)) {
          warnings.push(`${country}: review ${review.id} listed twice; kept once`);
          continue;
        }
        seen.add(review.id);
        if (reader.isOld(at, review.id)) continue;
        fresh++;
        reader.note(at, review.id);
        const item = reviewToRawItem(review, { sourceId: config.id, channel, appId: opts.appId, country, fallbackDate });
        const check = RawItem.safeParse(item);
        if (check.success) items.push(item);
        else warnings.push(`${country}: review ${review.id} skipped: ${describe(check.error.issues)}`);
      }
      if (feed.broken) throw new AllearsError('appstore_bad_answer', `GET ${url}: broken XML at ${feed.broken}; kept the reviews before it`, { status: 502 });
      // Sorted by last update, an edited old review can top a page: only a page with nothing new ends the reading.
      if (feed.reviews.length === 0 || fresh === 0 || (feed.lastPage !== undefined && page >= feed.lastPage)) return;
    }
  }

  async function fetchPage(url: string, signal: AbortSignal): Promise<ReviewPage> {
    if (opts.format === 'json') {
      const { data } = await getJson(url, {
        // Apple has served these feeds as text/javascript as well as JSON.
        accept: (type) => type === '' || /[/+]json\b|javascript|text\/plain/.test(type),
        ...deps.http,
        signal,
      });
      const feed = JsonFeed.safeParse(data);
      if (!feed.success) throw new AllearsError('appstore_bad_answer', `GET ${url}: not an App Store review feed (${describe(feed.error.issues)})`, { status: 502 });
      return parseJsonReviews(feed.data);
    }
    const body = await politeGet(url, {
      accept: (type) => type === '' || /xml|atom|text\/plain/.test(type),
      expected: 'an Atom XML feed',
      headers: { accept: 'application/atom+xml, application/xml;q=0.9, text/xml;q=0.9' },
      ...deps.http,
      signal,
    });
    const page = parseXmlReviews(decodeFeed(body.bytes, body.contentType));
    if (page.reviews.length === 0 && page.broken) throw new AllearsError('appstore_bad_answer', `GET ${url}: broken XML at ${page.broken}`, { status: 502 });
    return page;
  }

  return {
    id: config.id,
    kind: 'appstore',
    runFrom,
    run: async (signal) => (await runFrom({ signal, checkpoint: null })).items,
  };
}

export function feedUrl(base: string, opts: Pick<AppStoreOptions, 'appId' | 'format'>, country: string, page: number): string {
  return `${base}/${country}/rss/customerreviews/page=${page}/id=${opts.appId}/sortby=mostrecent/${opts.format}`;
}

function describe(issues: Parameters<typeof zodDetails>[0]): string {
  return zodDetails(issues).map((d) => `${d.path}: ${d.message}`).join('; ');
}
