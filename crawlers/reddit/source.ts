import { z } from 'zod';
import { Duration, type SourceConfig } from '../../config/schema.ts';
import { AllearsError, ConfigError, zodDetails } from '../../model/errors.ts';
import { Channel, RawItem, type RawItemInput } from '../../model/index.ts';
import type { IncrementalRunInput, IncrementalRunResult, IncrementalSource } from '../checkpoint.ts';
import { getJson, USER_AGENT, type FetchOptions } from '../http.ts';
import { EMPTY_FENCE, Fence, FenceReader } from '../fence.ts';
import { credentialsFromEnv, tokenProvider } from './oauth.ts';
import { RedditListing, RedditThingData, thingToRawItem } from './things.ts';

const SUBREDDIT = /^[A-Za-z0-9_]{2,21}(\+[A-Za-z0-9_]{2,21})*$/;

export const RedditOptions = z.object({
  /** One subreddit, or several joined with "+"; without `query` its newest posts are read. */
  subreddit: z.string().regex(SUBREDDIT, 'expected a subreddit name such as "acme" or "acme+acmehelp", without r/').optional(),
  /** Search all of Reddit (or only `subreddit`) for this, newest first. */
  query: z.string().trim().min(1).max(512).optional(),
  /** Also read the subreddit's newest comments (needs `subreddit`). */
  comments: z.boolean().default(false),
  /** Defaults to www.reddit.com, or oauth.reddit.com when OAuth credentials are configured. */
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  tokenUrl: z.url({ protocol: /^https?$/ }).default('https://www.reddit.com/api/v1/access_token'),
  /** Names of the environment variables holding a Reddit app's id and secret: optional, raises the rate limit. */
  clientIdEnv: z.string().min(1).optional(),
  clientSecretEnv: z.string().min(1).optional(),
  /** Reddit asks for "<platform>:<app id>:<version> (by /u/<user>)"; the default names allears honestly. */
  userAgent: z.string().trim().min(1).max(300).optional(),
  limit: z.number().int().min(1).max(100).default(100),
  /** Pages per listing per run. */
  maxPages: z.number().int().min(1).max(50).default(5),
  lookback: Duration.default(30 * 86_400_000),
  channel: Channel.optional(),
}).superRefine((o, ctx) => {
  if (!o.subreddit && !o.query) ctx.addIssue({ code: 'custom', path: ['subreddit'], message: 'set subreddit, query, or both' });
  if (o.comments && !o.subreddit) ctx.addIssue({ code: 'custom', path: ['comments'], message: 'reading comments needs a subreddit' });
});
export type RedditOptions = z.infer<typeof RedditOptions>;

/** One fence per listing read: posts (or search results) and comments. */
export const RedditCheckpoint = z.object({
  posts: Fence.default(EMPTY_FENCE),
  comments: Fence.default(EMPTY_FENCE),
});
export type RedditCheckpoint = z.infer<typeof RedditCheckpoint>;

export interface RedditDeps {
  http?: FetchOptions;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
}

type Stream = 'posts' | 'comments';

/** Kind `reddit`: newest posts of a subreddit or of a search, optionally the subreddit's newest comments. */
export function redditSource(config: SourceConfig, deps: RedditDeps = {}): IncrementalSource {
  const parsed = RedditOptions.safeParse(config.options);
  if (!parsed.success) throw new ConfigError(`source ${config.id}: invalid reddit options`, zodDetails(parsed.error.issues, `sources.${config.id}.options`));
  const opts = parsed.data;
  const channel = opts.channel ?? config.channel ?? 'social';
  const creds = credentialsFromEnv(config.id, opts.clientIdEnv, opts.clientSecretEnv, deps.env);
  const base = (opts.baseUrl ?? (creds ? 'https://oauth.reddit.com' : 'https://www.reddit.com')).replace(/\/+$/, '');
  const userAgent = opts.userAgent ?? USER_AGENT;
  const token = creds ? tokenProvider(opts.tokenUrl, creds, userAgent) : undefined;

  async function runFrom({ signal, checkpoint }: IncrementalRunInput): Promise<IncrementalRunResult> {
    const previous = RedditCheckpoint.safeParse(checkpoint ?? undefined);
    const start: RedditCheckpoint = previous.success ? previous.data : { posts: EMPTY_FENCE, comments: EMPTY_FENCE };
    const warnings: string[] = [];
    if (checkpoint != null && !previous.success) warnings.push('checkpoint unreadable; starting from the look-back window');
    const floor = ((deps.now?.() ?? new Date()).getTime() - opts.lookback) / 1000;

    const items: RawItemInput[] = [];
    const seen = new Set<string>();
    const next: RedditCheckpoint = { ...start };
    const streams: Stream[] = opts.comments ? ['posts', 'comments'] : ['posts'];
    for (const stream of streams) {
      const reader = new FenceReader(start[stream], floor);
      try {
        await readListing(stream, reader, signal, seen, items, warnings);
        next[stream] = reader.next();
      } catch (err) {
        // Nothing read yet: the run fails and the scheduler records why. Otherwise keep what was read;
        // the fence stays where it was, so the next run reads this listing again (ids make that harmless).
        if (signal.aborted || items.length === 0) throw err;
        warnings.push(`${stream}: stopped early, keeping the ${items.length} items read before: ${(err as Error).message}`);
      }
    }
    return { items, checkpoint: next, warnings };
  }

  async function readListing(stream: Stream, reader: FenceReader, signal: AbortSignal, seen: Set<string>, items: RawItemInput[], warnings: string[]): Promise<void> {
    const first = listingUrl(base, opts, stream);
    let after: string | undefined;
    for (let page = 0; page < opts.maxPages; page++) {
      const url = after ? `${first}&after=${encodeURIComponent(after)}` : first;
      const headers: Record<string, string> = { 'user-agent': userAgent };
      if (token) headers.authorization = `Bearer ${await token(signal)}`;
      const { data } = await getJson(url, { ...deps.http, headers, signal });
      const listing = RedditListing.safeParse(data);
      if (!listing.success) throw new AllearsError('reddit_bad_answer', `GET ${url}: not a Reddit listing (${describe(listing.error.issues)})`, { status: 502 });
      let reachedOld = false;
      const onPage = new Set<string>();
      for (const child of listing.data.data.children) {
        if (child.kind !== 't3' && child.kind !== 't1') continue;
        const thing = RedditThingData.safeParse(child.data);
        if (!thing.success) {
          warnings.push(`${child.kind} skipped: ${describe(thing.error.issues)}`);
          continue;
        }
        const { name, created_utc: at } = thing.data;
        if (onPage.has(name)) {
          warnings.push(`${name} listed twice on one page; kept once`);
          continue;
        }
        onPage.add(name);
        if (reader.isOld(at, name)) {
          if (reader.isBelow(at)) reachedOld = true;
          continue;
        }
        reader.note(at, name);
        // Listings shift while new posts arrive, so a thing can show up on two pages.
        if (seen.has(name)) continue;
        seen.add(name);
        const item = thingToRawItem(thing.data, { sourceId: config.id, channel });
        const check = RawItem.safeParse(item);
        if (check.success) items.push(item);
        else warnings.push(`${name} skipped: ${describe(check.error.issues)}`);
      }
      after = listing.data.data.after ?? undefined;
      if (reachedOld || !after) return;
    }
    warnings.push(`${stream}: page budget (${opts.maxPages}) spent before reaching items read earlier; older ones in between are not read (raise maxPages or run more often)`);
  }

  return {
    id: config.id,
    kind: 'reddit',
    runFrom,
    run: async (signal) => (await runFrom({ signal, checkpoint: null })).items,
  };
}

/** Newest first; `raw_json=1` asks for text without HTML entity escaping. */
export function listingUrl(base: string, opts: Pick<RedditOptions, 'subreddit' | 'query' | 'limit'>, stream: Stream): string {
  const params = new URLSearchParams({ limit: String(opts.limit), raw_json: '1' });
  if (stream === 'comments') return `${base}/r/${opts.subreddit}/comments.json?${params}`;
  if (!opts.query) return `${base}/r/${opts.subreddit}/new.json?${params}`;
  params.set('q', opts.query);
  params.set('sort', 'new');
  params.set('type', 'link');
  if (opts.subreddit) params.set('restrict_sr', '1');
  return `${base}${opts.subreddit ? `/r/${opts.subreddit}` : ''}/search.json?${params}`;
}

function describe(issues: Parameters<typeof zodDetails>[0]): string {
  return zodDetails(issues).map((d) => `${d.path}: ${d.message}`).join('; ');
}
