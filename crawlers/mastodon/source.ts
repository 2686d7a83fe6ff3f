import { z } from 'zod';
import { Duration, type SourceConfig } from '../../config/schema.ts';
import { AllearsError, ConfigError, zodDetails } from '../../model/errors.ts';
import { Channel, RawItem, type RawItemInput } from '../../model/index.ts';
import type { IncrementalRunInput, IncrementalRunResult, IncrementalSource } from '../checkpoint.ts';
import { getJsonWithHeaders, type FetchOptions } from '../http.ts';
import { compareIds, MastodonStatus, statusToRawItem } from './status.ts';

export const MastodonOptions = z.object({
  /** The instance, e.g. https://mastodon.social. */
  baseUrl: z.url({ protocol: /^https?$/, message: 'expected the instance\'s http(s) address' }),
  timeline: z.enum(['public', 'tag', 'search']).default('public'),
  /** For `tag`: the hashtag, without "#". */
  tag: z.string().trim().regex(/^[\p{L}\p{N}_]+$/u, 'expected a hashtag without "#", letters, digits and _ only').optional(),
  /** For `search`: full-text status search (most instances answer it only with an access token). */
  query: z.string().trim().min(1).max(500).optional(),
  /** For `public` and `tag`: only this instance's own posts, or only other instances'. */
  local: z.boolean().optional(),
  remote: z.boolean().optional(),
  /** Name of the environment variable holding an access token; needed by instances that close their timelines. */
  accessTokenEnv: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(40).default(40),
  maxPages: z.number().int().min(1).max(50).default(5),
  lookback: Duration.default(7 * 86_400_000),
  channel: Channel.optional(),
}).superRefine((o, ctx) => {
  if (o.timeline === 'tag' && !o.tag) ctx.addIssue({ code: 'custom', path: ['tag'], message: 'the tag timeline needs a tag' });
  if (o.timeline === 'search' && !o.query) ctx.addIssue({ code: 'custom', path: ['query'], message: 'the search timeline needs a query' });
});
export type MastodonOptions = z.infer<typeof MastodonOptions>;

/** The newest status id read: later runs page forward from it with `min_id`, so nothing in between is skipped. */
export const MastodonCheckpoint = z.object({ newestId: z.string().regex(/^\d+$/).nullable() });
export type MastodonCheckpoint = z.infer<typeof MastodonCheckpoint>;

export interface MastodonDeps {
  http?: FetchOptions;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
}

/** Kind `mastodon`: statuses from an instance's public, hashtag or search timeline. */
export function mastodonSource(config: SourceConfig, deps: MastodonDeps = {}): IncrementalSource {
  const parsed = MastodonOptions.safeParse(config.options);
  if (!parsed.success) throw new ConfigError(`source ${config.id}: invalid mastodon options`, zodDetails(parsed.error.issues, `sources.${config.id}.options`));
  const opts = parsed.data;
  const channel = opts.channel ?? config.channel ?? 'social';
  const base = opts.baseUrl.replace(/\/+$/, '');
  const instance = new URL(base).host;
  const headers: Record<string, string> = {};
  if (opts.accessTokenEnv) {
    const token = (deps.env ?? process.env)[opts.accessTokenEnv];
    if (!token) throw new ConfigError(`source ${config.id}: environment variable ${opts.accessTokenEnv} is not set`, [{ path: `sources.${config.id}.options.accessTokenEnv`, message: `environment variable ${opts.accessTokenEnv} is not set` }]);
    headers.authorization = `Bearer ${token}`;
  }

  async function runFrom({ signal, checkpoint }: IncrementalRunInput): Promise<IncrementalRunResult> {
    const previous = MastodonCheckpoint.safeParse(checkpoint ?? undefined);
    const warnings: string[] = [];
    if (checkpoint != null && !previous.success) warnings.push('checkpoint unreadable; starting from the look-back window');
    const since = previous.success ? previous.data.newestId : null;
    const floor = (deps.now?.() ?? new Date()).getTime() - opts.lookback;
    const items: RawItemInput[] = [];
    const seen = new Set<string>();
    let newest = since;

    /** Map one page; returns its lowest and highest ids and whether it went below the look-back window. */
    const take = (statuses: MastodonStatus[]) => {
      let low: string | undefined;
      let high: string | undefined;
      let old = false;
      for (const status of statuses) {
        if (!low || compareIds(status.id, low) < 0) low = status.id;
        if (!high || compareIds(status.id, high) > 0) high = status.id;
        if (since !== null ? compareIds(status.id, since) <= 0 : Date.parse(status.created_at) < floor) {
          old = true;
          continue;
        }
        if (newest === null || compareIds(status.id, newest) > 0) newest = status.id;
        const item = statusToRawItem(status, { sourceId: config.id, channel, instance });
        // A boost and its original, or a page shifted by new posts, can bring a status twice.
        if (seen.has(item.externalId)) continue;
        seen.add(item.externalId);
        const check = RawItem.safeParse(item);
        if (check.success) items.push(item);
        else warnings.push(`status ${status.id} skipped: ${describe(check.error.issues)}`);
      }
      return { low, high, old };
    };

    let cursor: { max_id?: string; min_id?: string } = since !== null ? { min_id: since } : {};
    let page = 0;
    try {
      for (; page < opts.maxPages; page++) {
        const statuses = await fetchPage(cursor, signal, warnings);
        if (statuses.length === 0) break;
        const { low, high, old } = take(statuses.list);
        if (since !== null) {
          // Paging forward: the next page starts above the newest status of this one.
          if (statuses.length < opts.limit) break;
          cursor = { min_id: statuses.prevMinId ?? high! };
        } else {
          if (old || statuses.length < opts.limit) break;
          cursor = { max_id: statuses.nextMaxId ?? low! };
        }
      }
    } catch (err) {
      if (signal.aborted || items.length === 0) throw err;
      // Paging forward, the pages read are contiguous from the checkpoint: the next run resumes after them.
      // On a first run (paging back from the newest) the older rest of the look-back window is given up.
      warnings.push(`stopped early, keeping the ${items.length} statuses read before: ${(err as Error).message}`);
      return { items, checkpoint: { newestId: newest }, warnings };
    }
    if (page === opts.maxPages) {
      warnings.push(since !== null
        ? `page budget (${opts.maxPages}) spent; newer statuses wait for the next run`
        : `page budget (${opts.maxPages}) spent before the look-back window ended; older statuses are not read`);
    }
    return { items, checkpoint: { newestId: newest }, warnings };
  }

  async function fetchPage(cursor: { max_id?: string; min_id?: string }, signal: AbortSignal, warnings: string[]) {
    const url = timelineUrl(base, opts, cursor);
    const { data, headers: answer } = await getJsonWithHeaders(url, { ...deps.http, headers, signal });
    const body = opts.timeline === 'search' ? SearchAnswer.safeParse(data) : TimelineAnswer.safeParse(data);
    if (!body.success) throw new AllearsError('mastodon_bad_answer', `GET ${url}: not a Mastodon ${opts.timeline === 'search' ? 'search answer' : 'timeline'} (${describe(body.error.issues)})`, { status: 502 });
    const raw = Array.isArray(body.data) ? body.data : body.data.statuses;
    const list: MastodonStatus[] = [];
    const onPage = new Set<string>();
    for (const entry of raw) {
      const status = MastodonStatus.safeParse(entry);
      if (!status.success) {
        warnings.push(`status skipped: ${describe(status.error.issues)}`);
        continue;
      }
      if (onPage.has(status.data.id)) {
        warnings.push(`status ${status.data.id} listed twice on one page; kept once`);
        continue;
      }
      onPage.add(status.data.id);
      list.push(status.data);
    }
    const links = parseLinkHeader(answer.get('link'));
    return { list, length: raw.length, nextMaxId: links.next?.searchParams.get('max_id') ?? undefined, prevMinId: links.prev?.searchParams.get('min_id') ?? undefined };
  }

  return {
    id: config.id,
    kind: 'mastodon',
    runFrom,
    run: async (signal) => (await runFrom({ signal, checkpoint: null })).items,
  };
}

const TimelineAnswer = z.array(z.unknown());
const SearchAnswer = z.looseObject({ statuses: z.array(z.unknown()) });

export function timelineUrl(base: string, opts: MastodonOptions, cursor: { max_id?: string; min_id?: string }): string {
  const params = new URLSearchParams({ limit: String(opts.limit) });
  if (opts.local) params.set('local', 'true');
  if (opts.remote) params.set('remote', 'true');
  if (cursor.max_id) params.set('max_id', cursor.max_id);
  if (cursor.min_id) params.set('min_id', cursor.min_id);
  if (opts.timeline === 'tag') return `${base}/api/v1/timelines/tag/${encodeURIComponent(opts.tag!)}?${params}`;
  if (opts.timeline === 'public') return `${base}/api/v1/timelines/public?${params}`;
  params.set('q', opts.query!);
  params.set('type', 'statuses');
  params.set('resolve', 'false');
  return `${base}/api/v2/search?${params}`;
}

/** RFC 8288 Link header → URL by relation; Mastodon pages with rel="next" (older) and rel="prev" (newer). */
export function parseLinkHeader(value: string | null): Record<string, URL> {
  const out: Record<string, URL> = {};
  if (!value) return out;
  for (const m of value.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel="?([^";,]+)"?/i.exec(m[2] ?? '')?.[1];
    if (!rel) continue;
    try {
      for (const r of rel.split(/\s+/)) out[r.toLowerCase()] = new URL(m[1]!);
    } catch {
      // A relative or broken link is ignored; paging falls back to the ids on the page.
    }
  }
  return out;
}

function describe(issues: Parameters<typeof zodDetails>[0]): string {
  return zodDetails(issues).map((d) => `${d.path}: ${d.message}`).join('; ');
}
