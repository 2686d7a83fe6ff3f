import { z } from 'zod';
import type { SourceConfig } from '../../config/schema.ts';
import { ConfigError, zodDetails } from '../../model/errors.ts';
import { RawItem, type RawItemInput } from '../../model/index.ts';
import type { IncrementalRunInput, IncrementalRunResult, IncrementalSource } from '../checkpoint.ts';
import { crawl, type CrawlDeps, type FetchedPage, type PageTask } from './crawler.ts';
import { parseSiteDate } from './dates.ts';
import { jsonLdNodes, microdataNodes, nextLink, readListing, readPostsBySelectors, readSchemaOrgPosts, type PagePost } from './extract.ts';
import { mergeProfile, WebOptions } from './profile.ts';
import { BUILT_IN_PROFILES } from './profiles/index.ts';

/** What a run remembers of one thread. */
const ThreadMark = z.object({
  /** Reply count and last-post text from the listing when the thread was last read. */
  signature: z.string().nullable(),
  /** The last page read: the next visit starts there. */
  lastPage: z.string(),
  /** Post ids on that page, so posts already taken are not taken again. */
  idsOnLastPage: z.array(z.string()),
  newest: z.string().nullable(),
  idsAtNewest: z.array(z.string()),
  posts: z.number().int().nonnegative(),
  /** False when a run stopped inside the thread (budget, error): it is read again regardless of the listing. */
  complete: z.boolean(),
  seenAt: z.string(),
});
type ThreadMark = z.infer<typeof ThreadMark>;

/**
 * `newest` / `idsAtNewest`: the newest post date seen on the site and the posts at exactly that time.
 * `threads`: per thread (keyed by its first page's URL), where reading stopped.
 */
export const WebCheckpoint = z.object({
  newest: z.string().nullable(),
  idsAtNewest: z.array(z.string()),
  threads: z.record(z.string(), ThreadMark),
});
export type WebCheckpoint = z.infer<typeof WebCheckpoint>;

/** Threads remembered at most; the least recently active are forgotten first. */
const MAX_THREADS = 20_000;

export interface WebDeps extends CrawlDeps {
  now?: () => Date;
}

/** Resolve a source's options against its built-in profile and validate them. */
export function webOptions(config: SourceConfig): WebOptions {
  const own = config.options;
  const name = typeof own.profile === 'string' ? own.profile : undefined;
  const base = name === undefined ? {} : BUILT_IN_PROFILES[name];
  const path = `sources.${config.id}.options`;
  if (base === undefined) {
    throw new ConfigError(`source ${config.id}: unknown web profile "${name}"`, [{ path: `${path}.profile`, message: `expected one of ${Object.keys(BUILT_IN_PROFILES).join(', ')}` }]);
  }
  const parsed = WebOptions.safeParse(mergeProfile(base, own));
  if (!parsed.success) throw new ConfigError(`source ${config.id}: invalid web options`, zodDetails(parsed.error.issues, path));
  return parsed.data;
}

/**
 * Kind `web`: one site described by a profile — listing pages, thread pages and where posts sit in
 * them (CSS selectors, or schema.org JSON-LD / microdata). Each run reads threads that changed since
 * the last one and returns only posts not returned before.
 */
export function webSource(config: SourceConfig, deps: WebDeps = {}): IncrementalSource {
  const opts = webOptions(config);
  const channel = opts.channel ?? config.channel ?? 'forum';

  async function runFrom({ signal, checkpoint }: IncrementalRunInput): Promise<IncrementalRunResult> {
    const now = deps.now?.() ?? new Date();
    const previous = WebCheckpoint.safeParse(checkpoint ?? undefined);
    const warnings: string[] = [];
    if (checkpoint != null && !previous.success) warnings.push('checkpoint unreadable; reading the site as new');
    const before: WebCheckpoint = previous.success ? previous.data : { newest: null, idsAtNewest: [], threads: {} };
    const resumed = previous.success;
    const marks: Record<string, ThreadMark> = { ...before.threads };

    const items: RawItemInput[] = [];
    const taken = new Map<string, string>();
    let newest = before.newest;
    let idsAtNewest = new Set(before.idsAtNewest);
    const stamp = now.toISOString();

    /** Posts of one thread page → items, minus those an earlier run (or page) already returned. */
    const takePosts = (thread: string, page: FetchedPage, posts: PagePost[]) => {
      const old = before.threads[thread];
      const oldIds = new Set(old?.idsOnLastPage ?? []);
      const oldAtNewest = new Set(old?.idsAtNewest ?? []);
      const mark: ThreadMark = marks[thread] && marks[thread] !== old
        ? marks[thread]!
        : { signature: old?.signature ?? null, lastPage: page.url, idsOnLastPage: [], newest: old?.newest ?? null, idsAtNewest: [...oldAtNewest], posts: old?.posts ?? 0, complete: false, seenAt: stamp };
      mark.lastPage = page.url;
      mark.idsOnLastPage = [];
      mark.seenAt = stamp;
      for (const post of posts) {
        mark.idsOnLastPage.push(post.id);
        // Read (or reported) by an earlier run.
        if (oldIds.has(post.id)) continue;
        const at = post.date ? parseSiteDate(post.date, { now, timeZone: opts.timeZone }) : null;
        if (!at) {
          warnings.push(`${page.url}: post ${post.id} skipped: ${post.date ? `date "${post.date}" not understood` : 'no date found'}`);
          continue;
        }
        const iso = at.toISOString();
        if (old?.newest && (iso < old.newest || (iso === old.newest && oldAtNewest.has(post.id)))) continue;
        const first = taken.get(post.id);
        if (first !== undefined) {
          warnings.push(`${page.url}: post id ${post.id} already read at ${first}; duplicate skipped`);
          continue;
        }
        taken.set(post.id, page.url);
        const item = toItem(post, iso, thread, page.finalUrl);
        const check = RawItem.safeParse(item);
        if (!check.success) {
          warnings.push(`${page.url}: post ${post.id} skipped: ${zodDetails(check.error.issues).map((d) => `${d.path}: ${d.message}`).join('; ')}`);
          continue;
        }
        items.push(item);
        mark.posts++;
        if (mark.newest === null || iso > mark.newest) {
          mark.newest = iso;
          mark.idsAtNewest = [post.id];
        } else if (iso === mark.newest) mark.idsAtNewest.push(post.id);
        if (newest === null || iso > newest) {
          newest = iso;
          idsAtNewest = new Set([post.id]);
        } else if (iso === newest) idsAtNewest.add(post.id);
      }
      marks[thread] = mark;
    };

    const toItem = (post: PagePost, publishedAt: string, thread: string, url: string): RawItemInput => {
      const dimensions: Record<string, string> = { ...post.dimensions };
      if (post.rating !== undefined) dimensions.rating = String(post.rating);
      if (opts.lang) dimensions.lang = opts.lang;
      const timeline = post.timeline?.map((e) => {
        const at = e.date ? parseSiteDate(e.date, { now, timeZone: opts.timeZone }) : null;
        return { ...(at ? { at: at.toISOString() } : {}), ...e };
      });
      if (timeline?.length) {
        dimensions.timeline_steps = String(timeline.length);
        const last = timeline[timeline.length - 1]!;
        if (last.at) dimensions.last_update = last.at;
      }
      return {
        source: { id: config.id, kind: 'web' },
        channel,
        externalId: post.id,
        url,
        threadId: thread,
        ...(post.parentId ? { parentId: post.parentId } : {}),
        ...(post.author ? { author: { ...(post.author.name ? { name: post.author.name } : {}), ...(post.author.url ? { id: post.author.url } : {}) } } : {}),
        ...(post.title ? { title: post.title } : {}),
        text: post.body,
        publishedAt,
        ...(post.replyCount !== undefined ? { engagement: { replies: Math.max(0, Math.round(post.replyCount)) } } : {}),
        ...(Object.keys(dimensions).length ? { dimensions } : {}),
        ...(timeline?.length ? { raw: { timeline } } : {}),
      };
    };

    /** Posts by the profile's selectors; a page where they find nothing is read for schema.org markup instead. */
    const readPosts = (page: FetchedPage): PagePost[] => {
      if (opts.extract === 'selectors') {
        const posts = readPostsBySelectors(page.$, page.finalUrl, opts.thread!);
        if (posts.length > 0) return posts;
      }
      const jsonLd = opts.extract !== 'microdata' ? jsonLdNodes(page.$) : { nodes: [], errors: [] };
      for (const e of jsonLd.errors) warnings.push(`${page.url}: ${e}`);
      const fromJsonLd = readSchemaOrgPosts(jsonLd.nodes, page.finalUrl);
      if (fromJsonLd.length > 0 || opts.extract === 'jsonld') return fromJsonLd;
      return readSchemaOrgPosts(microdataNodes(page.$), page.finalUrl);
    };

    /** A thread the listing shows: read it when it is new or its reply count / last post changed. */
    const threadStart = (url: string, signature: string | null): PageTask | null => {
      const mark = before.threads[url];
      if (mark && mark.complete && signature !== null && mark.signature === signature) return null;
      return { url: mark?.lastPage ?? url, kind: 'thread', thread: url };
    };
    const signatures = new Map<string, string | null>();

    const handle = (task: PageTask, page: FetchedPage): PageTask[] => {
      if (task.kind === 'listing') {
        const { threads, next } = readListing(page.$, page.finalUrl, opts.listing!);
        const tasks: PageTask[] = [];
        for (const t of threads) {
          signatures.set(t.url, t.signature);
          const start = threadStart(t.url, t.signature);
          if (start) tasks.push(start);
        }
        // Listings show recent activity first: a page with nothing new means the older pages have nothing new either.
        const nothingNew = resumed && threads.length > 0 && tasks.length === 0;
        if (next && !nothingNew) tasks.push({ url: next, kind: 'listing' });
        return tasks;
      }
      const thread = task.thread ?? task.url;
      const posts = readPosts(page);
      if (posts.length === 0) warnings.push(`${page.url}: no posts found (the page layout may have changed or the HTML is broken)`);
      takePosts(thread, page, posts);
      const next = nextLink(page.$, page.finalUrl, opts.thread?.nextPage);
      if (next && next !== page.url) return [{ url: next, kind: 'thread', thread }];
      const mark = marks[thread]!;
      mark.complete = true;
      mark.signature = signatures.has(thread) ? signatures.get(thread)! : mark.signature;
      return [];
    };

    const start: PageTask[] = opts.listing
      ? opts.startUrls.map((url) => ({ url, kind: 'listing' as const }))
      : opts.startUrls.map((url) => ({ url: before.threads[url]?.lastPage ?? url, kind: 'thread' as const, thread: url }));
    const outcome = await crawl(opts, start, handle, signal, deps);
    warnings.push(...outcome.warnings);

    return { items, checkpoint: { newest, idsAtNewest: [...idsAtNewest], threads: prune(marks) }, warnings };
  }

  return {
    id: config.id,
    kind: 'web',
    runFrom,
    run: async (signal) => (await runFrom({ signal, checkpoint: null })).items,
  };
}

function prune(marks: Record<string, ThreadMark>): Record<string, ThreadMark> {
  const entries = Object.entries(marks);
  if (entries.length <= MAX_THREADS) return marks;
  entries.sort((a, b) => (b[1].newest ?? b[1].seenAt).localeCompare(a[1].newest ?? a[1].seenAt));
  return Object.fromEntries(entries.slice(0, MAX_THREADS));
}
