import { z } from 'zod';
import { Duration, type SourceConfig } from '../../config/schema.ts';
import { AllearsError, ConfigError, zodDetails } from '../../model/errors.ts';
import { Channel, RawItem, type RawItemInput } from '../../model/index.ts';
import type { IncrementalRunInput, IncrementalRunResult, IncrementalSource } from '../checkpoint.ts';
import { getJson, HttpError, type FetchOptions } from '../http.ts';
import {
  DiscourseCategories, DiscoursePost, DiscoursePostsAnswer, DiscourseTopic, DiscourseTopicList, DiscourseTopicSummary,
  postToRawItem, REGULAR_POST,
} from './answers.ts';

export const DiscourseOptions = z.object({
  /** The forum's address, e.g. https://forum.example.com. */
  baseUrl: z.url({ protocol: /^https?$/, message: 'expected the forum\'s http(s) address' }),
  /** Only this category: its path as in the forum's URLs, e.g. "support" or "support/12". */
  category: z.string().regex(/^[\w-]+(\/[\w-]+)*$/, 'expected a category path such as "support/12"').optional(),
  /** Names of environment variables holding an API key and its user, for private forums. */
  apiKeyEnv: z.string().min(1).optional(),
  apiUsernameEnv: z.string().min(1).optional(),
  /** Pages of /latest per run. */
  maxPages: z.number().int().min(1).max(50).default(5),
  /** Topics whose posts are read per run; the rest wait for the next run. */
  maxTopics: z.number().int().min(1).max(500).default(50),
  /** Newest posts read from a topic seen for the first time (long topics bumped by one reply). */
  maxPostsPerTopic: z.number().int().min(1).max(1000).default(100),
  lookback: Duration.default(30 * 86_400_000),
  channel: Channel.optional(),
});
export type DiscourseOptions = z.infer<typeof DiscourseOptions>;

/**
 * `bumpedAfter`: topics bumped after this were all read (moves only when a run finished everything).
 * `maxPostId`: the highest post id read by such a run. `topics`: per topic read, its bump time and
 * highest post id, so a run cut short resumes where it stopped and no reply is read twice.
 */
export const DiscourseCheckpoint = z.object({
  bumpedAfter: z.string().nullable(),
  maxPostId: z.number().int().nonnegative(),
  topics: z.record(z.string(), z.object({ bumped: z.string(), lastPostId: z.number().int().nonnegative() })),
});
export type DiscourseCheckpoint = z.infer<typeof DiscourseCheckpoint>;

/** Topics remembered individually; older ones fall back to `maxPostId`. */
const MAX_TOPICS_REMEMBERED = 500;
/** Discourse answers at most this many posts per posts.json request. */
const POSTS_PER_REQUEST = 20;

export interface DiscourseDeps {
  http?: FetchOptions;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
}

/** Kind `discourse`: posts of recently active topics of a Discourse forum (or one category of it). */
export function discourseSource(config: SourceConfig, deps: DiscourseDeps = {}): IncrementalSource {
  const parsed = DiscourseOptions.safeParse(config.options);
  if (!parsed.success) throw new ConfigError(`source ${config.id}: invalid discourse options`, zodDetails(parsed.error.issues, `sources.${config.id}.options`));
  const opts = parsed.data;
  const channel = opts.channel ?? config.channel ?? 'forum';
  const base = opts.baseUrl.replace(/\/+$/, '');
  const headers = apiHeaders(config.id, opts, deps.env ?? process.env);
  /** Read once per process: categories are renamed rarely, and a stale name costs little. */
  let categories: Map<number, string> | undefined;

  async function runFrom({ signal, checkpoint }: IncrementalRunInput): Promise<IncrementalRunResult> {
    const previous = DiscourseCheckpoint.safeParse(checkpoint ?? undefined);
    const floor = new Date((deps.now?.() ?? new Date()).getTime() - opts.lookback).toISOString();
    const start: DiscourseCheckpoint = previous.success ? previous.data : { bumpedAfter: null, maxPostId: 0, topics: {} };
    const warnings: string[] = [];
    if (checkpoint != null && !previous.success) warnings.push('checkpoint unreadable; starting from the look-back window');
    const fence = Date.parse(start.bumpedAfter ?? floor);
    const get = (url: string) => getJson(url, { ...deps.http, headers, signal });

    const items: RawItemInput[] = [];
    const topics = { ...start.topics };
    let complete = true;
    let newestBump = start.bumpedAfter;
    let maxPostId = start.maxPostId;
    // Nothing is read before the topic list answers: if it fails, the run fails.
    const listed = await listTopics(get, fence, warnings);
    if (!listed.complete) complete = false;
    let candidates = listed.topics.filter((t) => topics[t.id]?.bumped !== t.bumped_at);
    if (candidates.length > opts.maxTopics) {
      warnings.push(`${candidates.length} active topics, ${opts.maxTopics} read this run (maxTopics); the rest wait for the next runs`);
      candidates = candidates.slice(0, opts.maxTopics);
      complete = false;
    }
    if (candidates.length && !categories) categories = await categoryNames(get, base, warnings);
    for (const summary of candidates) {
      try {
        const read = await readTopic(get, summary, start, categories ?? new Map(), warnings);
        items.push(...read.items);
        topics[summary.id] = { bumped: summary.bumped_at, lastPostId: read.lastPostId };
        maxPostId = Math.max(maxPostId, read.lastPostId);
        if (newestBump === null || Date.parse(summary.bumped_at) > Date.parse(newestBump)) newestBump = summary.bumped_at;
      } catch (err) {
        if (err instanceof HttpError && (err.httpStatus === 404 || err.httpStatus === 403)) {
          // Deleted or made private since it was listed: nothing to read there, now or later.
          warnings.push(`topic ${summary.id} skipped: ${err.message}`);
          topics[summary.id] = { bumped: summary.bumped_at, lastPostId: topics[summary.id]?.lastPostId ?? start.maxPostId };
          continue;
        }
        // The topics read so far are kept and remembered; this one and those after it are read next run.
        if (signal.aborted || items.length === 0) throw err;
        warnings.push(`topic ${summary.id}: stopped early, keeping the ${items.length} posts read before: ${(err as Error).message}`);
        complete = false;
        break;
      }
    }
    const next: DiscourseCheckpoint = complete
      ? { bumpedAfter: newestBump ?? start.bumpedAfter ?? floor, maxPostId, topics: recent(topics) }
      : { bumpedAfter: start.bumpedAfter ?? floor, maxPostId: start.maxPostId, topics: recent(topics) };
    return { items, checkpoint: next, warnings };
  }

  /** Pages of /latest (most recently bumped first; pinned topics on top) down to the fence. */
  async function listTopics(get: Getter, fence: number, warnings: string[]): Promise<{ topics: DiscourseTopicSummary[]; complete: boolean }> {
    const found = new Map<number, DiscourseTopicSummary>();
    let url: string | undefined = opts.category ? `${base}/c/${opts.category}/l/latest.json` : `${base}/latest.json`;
    for (let page = 0; url && page < opts.maxPages; page++) {
      const { data } = await get(url);
      const list = DiscourseTopicList.safeParse(data);
      if (!list.success) throw new AllearsError('discourse_bad_answer', `GET ${url}: not a Discourse topic list (${describe(list.error.issues)})`, { status: 502 });
      let below = false;
      const onPage = new Set<number>();
      for (const raw of list.data.topic_list.topics) {
        const topic = DiscourseTopicSummary.safeParse(raw);
        if (!topic.success) {
          warnings.push(`topic skipped: ${describe(topic.error.issues)}`);
          continue;
        }
        const t = topic.data;
        if (onPage.has(t.id)) {
          warnings.push(`topic ${t.id} listed twice on one page; kept once`);
          continue;
        }
        onPage.add(t.id);
        if (Date.parse(t.bumped_at) <= fence) {
          // Pinned topics stay on top whatever their age; only an unpinned one marks the end of the new.
          if (!t.pinned) below = true;
          continue;
        }
        if (!found.has(t.id)) found.set(t.id, t);
      }
      if (below) return { topics: [...found.values()], complete: true };
      url = nextPage(list.data.topic_list.more_topics_url, url, page);
    }
    if (url) {
      warnings.push(`page budget (${opts.maxPages}) spent before reaching topics read earlier; the rest wait for the next runs`);
      return { topics: [...found.values()], complete: false };
    }
    return { topics: [...found.values()], complete: true };
  }

  async function readTopic(get: Getter, summary: DiscourseTopicSummary, start: DiscourseCheckpoint, categories: Map<number, string>, warnings: string[]) {
    const url = `${base}/t/${summary.id}.json`;
    const { data } = await get(url);
    const body = DiscourseTopic.safeParse(data);
    if (!body.success) throw new AllearsError('discourse_bad_answer', `GET ${url}: not a Discourse topic (${describe(body.error.issues)})`, { status: 502 });
    const topic = body.data;
    const loaded = new Map<number, DiscoursePost>();
    for (const raw of topic.post_stream.posts) {
      const post = DiscoursePost.safeParse(raw);
      if (post.success) loaded.set(post.data.id, post.data);
      else warnings.push(`topic ${summary.id}: post skipped: ${describe(post.error.issues)}`);
    }
    const stream = topic.post_stream.stream ?? [...loaded.keys()];
    const after = start.topics[summary.id]?.lastPostId ?? start.maxPostId;
    let wanted = stream.filter((id) => id > after);
    // A topic seen for the first time may be years long: its newest posts are what is new.
    if (start.topics[summary.id] === undefined && wanted.length > opts.maxPostsPerTopic) wanted = wanted.slice(-opts.maxPostsPerTopic);
    const missing = wanted.filter((id) => !loaded.has(id));
    for (let i = 0; i < missing.length; i += POSTS_PER_REQUEST) {
      const chunk = missing.slice(i, i + POSTS_PER_REQUEST);
      const postsUrl = `${base}/t/${summary.id}/posts.json?${chunk.map((id) => `post_ids[]=${id}`).join('&')}`;
      const { data: more } = await get(postsUrl);
      const answer = DiscoursePostsAnswer.safeParse(more);
      if (!answer.success) throw new AllearsError('discourse_bad_answer', `GET ${postsUrl}: not a Discourse posts answer (${describe(answer.error.issues)})`, { status: 502 });
      for (const raw of answer.data.post_stream.posts) {
        const post = DiscoursePost.safeParse(raw);
        if (post.success) loaded.set(post.data.id, post.data);
        else warnings.push(`topic ${summary.id}: post skipped: ${describe(post.error.issues)}`);
      }
    }
    const idByNumber = new Map([...loaded.values()].map((p) => [p.post_number, p.id]));
    const categoryId = topic.category_id ?? summary.category_id;
    const ctx = {
      sourceId: config.id, channel, siteUrl: base, topic, idByNumber,
      ...(categoryId != null ? { category: categories.get(categoryId) ?? String(categoryId) } : {}),
      tags: (topic.tags ?? []).map((t) => (typeof t === 'string' ? t : t.name)),
    };
    const items: RawItemInput[] = [];
    for (const id of wanted) {
      const post = loaded.get(id);
      if (!post || (post.post_type != null && post.post_type !== REGULAR_POST) || post.deleted_at || post.hidden || post.user_deleted) continue;
      const item = postToRawItem(post, ctx);
      const check = RawItem.safeParse(item);
      if (check.success) items.push(item);
      else warnings.push(`post ${id} skipped: ${describe(check.error.issues)}`);
    }
    return { items, lastPostId: Math.max(after, ...stream) };
  }

  return {
    id: config.id,
    kind: 'discourse',
    runFrom,
    run: async (signal) => (await runFrom({ signal, checkpoint: null })).items,
  };
}

type Getter = (url: string) => Promise<{ url: string; data: unknown }>;

/** Category names make better dimensions than ids; without them the id is used. */
async function categoryNames(get: Getter, base: string, warnings: string[]): Promise<Map<number, string> | undefined> {
  const names = new Map<number, string>();
  try {
    const { data } = await get(`${base}/categories.json?include_subcategories=true`);
    const parsed = DiscourseCategories.safeParse(data);
    if (!parsed.success) throw new Error('not a category list');
    for (const c of parsed.data.category_list.categories) {
      names.set(c.id, c.name);
      for (const sub of c.subcategory_list ?? []) names.set(sub.id, sub.name);
    }
  } catch (err) {
    warnings.push(`category names unavailable, using ids: ${(err as Error).message}`);
    return undefined;
  }
  return names;
}

/** `more_topics_url` is relative and, on some versions, names /latest without .json. */
function nextPage(more: string | null | undefined, current: string, page: number): string | undefined {
  if (!more) return undefined;
  const next = new URL(more, current);
  if (!next.pathname.endsWith('.json')) next.pathname += '.json';
  if (!next.searchParams.has('page')) next.searchParams.set('page', String(page + 1));
  return next.href;
}

function recent(topics: DiscourseCheckpoint['topics']): DiscourseCheckpoint['topics'] {
  const entries = Object.entries(topics);
  if (entries.length <= MAX_TOPICS_REMEMBERED) return topics;
  entries.sort((a, b) => Date.parse(b[1].bumped) - Date.parse(a[1].bumped));
  return Object.fromEntries(entries.slice(0, MAX_TOPICS_REMEMBERED));
}

function apiHeaders(sourceId: string, opts: DiscourseOptions, env: NodeJS.ProcessEnv): Record<string, string> {
  if (!opts.apiKeyEnv && !opts.apiUsernameEnv) return {};
  const missing: string[] = [];
  const key = opts.apiKeyEnv ? env[opts.apiKeyEnv] : undefined;
  const user = opts.apiUsernameEnv ? env[opts.apiUsernameEnv] : 'system';
  if (!key) missing.push(opts.apiKeyEnv ?? 'apiKeyEnv');
  if (!user) missing.push(opts.apiUsernameEnv!);
  if (missing.length) throw new ConfigError(`source ${sourceId}: Discourse API credentials missing`, missing.map((m) => ({ path: `sources.${sourceId}.options`, message: `environment variable ${m} is not set` })));
  return { 'api-key': key!, 'api-username': user! };
}

function describe(issues: Parameters<typeof zodDetails>[0]): string {
  return zodDetails(issues).map((d) => `${d.path}: ${d.message}`).join('; ');
}
