import { z } from 'zod';
import { Duration, type SourceConfig } from '../../config/schema.ts';
import { AllearsError, ConfigError, zodDetails } from '../../model/errors.ts';
import { Channel, RawItem, type RawItemInput } from '../../model/index.ts';
import type { IncrementalRunInput, IncrementalRunResult, IncrementalSource } from '../checkpoint.ts';
import { getJson, type FetchOptions } from '../http.ts';
import { HnHit, HnPage, hitToRawItem } from './hits.ts';

export const HnOptions = z.object({
  query: z.string().trim().min(1, 'expected what to search for'),
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://hn.algolia.com/api/v1'),
  /** Algolia tag filter, e.g. "(story,comment)"; by default stories and comments. */
  tags: z.string().min(1).default('(story,comment)'),
  hitsPerPage: z.number().int().min(1).max(1000).default(100),
  /** Pages per run: a first run over a popular query stops here; the next run continues from the newest item. */
  maxPages: z.number().int().min(1).max(50).default(5),
  channel: Channel.optional(),
  /** How far back the very first run looks, e.g. "30d": all of HN's history is rarely what a new source wants. */
  lookback: Duration.default(30 * 86_400_000),
});

/**
 * `createdAfter`: Unix seconds of the newest item seen. `backlog`: time windows a run could not finish
 * within its page budget (newest first means what was left is older); later runs drain them after the new items.
 */
export const HnCheckpoint = z.object({
  createdAfter: z.number().int().nonnegative(),
  backlog: z.array(z.object({
    after: z.number().int().nonnegative(),
    before: z.number().int().nonnegative(),
    /** Hits at exactly `before` that were already read: the bound is inclusive so none of that second is lost. */
    seenAtBefore: z.array(z.string()).default([]),
  })).default([]),
});
export type HnCheckpoint = z.infer<typeof HnCheckpoint>;

/** Older unfinished windows beyond this are dropped: a source that far behind needs a bigger budget, not more windows. */
const MAX_BACKLOG = 20;
const MAX_FREE_PAGES = 10;

export interface HnDeps {
  http?: FetchOptions;
  now?: () => Date;
}

/** Kind `hn`: Hacker News stories and comments matching a query, through the Algolia search API. */
export function hnSource(config: SourceConfig, deps: HnDeps = {}): IncrementalSource {
  const parsed = HnOptions.safeParse(config.options);
  if (!parsed.success) throw new ConfigError(`source ${config.id}: invalid hn options`, zodDetails(parsed.error.issues, `sources.${config.id}.options`));
  const opts = parsed.data;
  const channel = opts.channel ?? config.channel ?? 'forum';
  const base = opts.baseUrl.replace(/\/+$/, '');

  async function runFrom({ signal, checkpoint }: IncrementalRunInput): Promise<IncrementalRunResult> {
    const previous = HnCheckpoint.safeParse(checkpoint ?? undefined);
    const firstAfter = Math.max(0, Math.floor(((deps.now?.() ?? new Date()).getTime() - opts.lookback) / 1000));
    const start: HnCheckpoint = previous.success ? previous.data : { createdAfter: firstAfter, backlog: [] };
    const warnings: string[] = [];
    if (checkpoint != null && !previous.success) warnings.push('checkpoint unreadable; starting from the look-back window');

    const items: RawItemInput[] = [];
    const seen = new Set<string>();
    let pagesLeft = opts.maxPages;
    let newest = start.createdAfter;
    const backlog: Window[] = [];
    // New items first, then what earlier runs left behind.
    const windows: Array<{ after: number; before?: number; seenAtBefore?: string[] }> = [{ after: start.createdAfter }, ...start.backlog];
    let backlogPages = 0;
    for (const window of windows) {
      // The backlog gets at least one page per run, so a busy query cannot starve it.
      const budget = window.before === undefined || backlogPages > 0 ? pagesLeft : Math.max(pagesLeft, 1);
      if (budget === 0) {
        if (window.before !== undefined) backlog.push({ after: window.after, before: window.before, seenAtBefore: window.seenAtBefore ?? [] });
        continue;
      }
      const drained = await drain(window, budget, signal, seen, items, warnings);
      pagesLeft = Math.max(0, pagesLeft - drained.pages);
      if (window.before !== undefined) backlogPages += drained.pages;
      if (window.before === undefined) newest = Math.max(newest, drained.newest);
      if (!drained.complete) backlog.push({ after: window.after, before: drained.oldest, seenAtBefore: drained.idsAtOldest });
    }
    if (backlog.length > 0) warnings.push(`page budget (${opts.maxPages}) spent; ${backlog.length} older time window(s) left for the next runs`);
    const fresh = backlog.filter((w) => w.before > w.after).slice(0, MAX_BACKLOG);
    return { items, checkpoint: { createdAfter: newest, backlog: fresh }, warnings };
  }

  /** Read pages of one time window, newest first, until it ends or the budget does. */
  async function drain(window: { after: number; before?: number; seenAtBefore?: string[] }, budget: number, signal: AbortSignal, seen: Set<string>, items: RawItemInput[], warnings: string[]) {
    let newest = window.after;
    let oldest = window.before ?? Number.MAX_SAFE_INTEGER;
    let idsAtOldest = new Set(window.seenAtBefore);
    let used = 0;
    let free = 0;
    for (let page = 0; used < budget; page++) {
      let progress = false;
      const url = pageUrl(base, opts, window, page);
      const { data } = await getJson(url, { ...deps.http, signal });
      const body = HnPage.safeParse(data);
      if (!body.success) throw new AllearsError('hn_bad_answer', `GET ${url}: not an Algolia search answer (${describe(body.error.issues)})`, { status: 502 });
      for (const raw of body.data.hits) {
        const hit = HnHit.safeParse(raw);
        if (!hit.success) {
          warnings.push(`hit skipped: ${describe(hit.error.issues)}`);
          continue;
        }
        const at = hit.data.created_at_i;
        const id = hit.data.objectID;
        newest = Math.max(newest, at);
        if (at < oldest) {
          oldest = at;
          idsAtOldest = new Set();
        }
        const readBefore = at === window.before && window.seenAtBefore?.includes(id);
        if (at === oldest) idsAtOldest.add(id);
        if (!readBefore) progress = true;
        // Pages shift while new items arrive, so a hit can show up twice; the numeric filter is the real fence.
        if (seen.has(id) || readBefore || at <= window.after) continue;
        seen.add(id);
        const item = hitToRawItem(hit.data, { sourceId: config.id, channel });
        const check = RawItem.safeParse(item);
        if (check.success) items.push(item);
        else warnings.push(`item ${hit.data.objectID} skipped: ${describe(check.error.issues)}`);
      }
      const last = body.data.hits.length === 0 || (body.data.nbPages === undefined ? body.data.hits.length < opts.hitsPerPage : page + 1 >= body.data.nbPages);
      // A page holding only hits already read at the window's edge (a crowded second) is not charged to the budget.
      if (progress || free >= MAX_FREE_PAGES) used++;
      else free++;
      if (last) return { pages: used, newest, oldest, idsAtOldest: [...idsAtOldest], complete: true };
    }
    return { pages: used, newest, oldest, idsAtOldest: [...idsAtOldest], complete: false };
  }

  return {
    id: config.id,
    kind: 'hn',
    runFrom,
    run: async (signal) => (await runFrom({ signal, checkpoint: null })).items,
  };
}

type Window = { after: number; before: number; seenAtBefore: string[] };

function describe(issues: Parameters<typeof zodDetails>[0]): string {
  return zodDetails(issues).map((d) => `${d.path}: ${d.message}`).join('; ');
}

/**
 * `search_by_date` newest first, above the checkpoint. A backlog window's upper bound is inclusive: hits
 * sharing the last second read are fetched again rather than lost (the same id updates in place).
 */
export function pageUrl(base: string, opts: { query: string; tags: string; hitsPerPage: number }, window: { after: number; before?: number }, page: number): string {
  const filters = [`created_at_i>${window.after}`];
  if (window.before !== undefined) filters.push(`created_at_i<=${window.before}`);
  const params = new URLSearchParams({
    query: opts.query,
    tags: opts.tags,
    numericFilters: filters.join(','),
    hitsPerPage: String(opts.hitsPerPage),
    page: String(page),
  });
  return `${base}/search_by_date?${params}`;
}
