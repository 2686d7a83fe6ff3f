import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SourceConfig } from '../../config/schema.ts';
import { AllearsError, ConfigError, zodDetails } from '../../model/errors.ts';
import { Channel, RawItem, type RawItemInput } from '../../model/index.ts';
import type { IncrementalRunInput, IncrementalRunResult, IncrementalSource } from '../checkpoint.ts';
import { politeGet, type FetchOptions } from '../http.ts';
import { decodeFeed, parseFeed, type FeedEntry, type ParsedFeed } from './feed.ts';

export const RssOptions = z.object({
  url: z.url({ protocol: /^https?$/, message: 'expected an http(s) feed URL' }),
  channel: Channel.optional(),
});

/** Newest publication time seen, the ids published at exactly that time, and ids of undated items already seen. */
export const RssCheckpoint = z.object({
  newest: z.string().nullable(),
  idsAtNewest: z.array(z.string()),
  undated: z.array(z.string()),
});
export type RssCheckpoint = z.infer<typeof RssCheckpoint>;

/** Undated items are remembered by id; a feed is a window of recent items, so a bounded memory is enough. */
const MAX_UNDATED_IDS = 1000;

export class FeedError extends AllearsError {
  constructor(message: string) {
    super('feed_invalid', message, { status: 502 });
  }
}

export interface RssDeps {
  http?: FetchOptions;
  now?: () => Date;
}

/** Kind `rss`: one RSS or Atom feed; options `url`, optional `channel` (default "news"). */
export function rssSource(config: SourceConfig, deps: RssDeps = {}): IncrementalSource {
  const parsed = RssOptions.safeParse(config.options);
  if (!parsed.success) throw new ConfigError(`source ${config.id}: invalid rss options`, zodDetails(parsed.error.issues, `sources.${config.id}.options`));
  const { url } = parsed.data;
  const channel = parsed.data.channel ?? config.channel ?? 'news';
  const now = deps.now ?? (() => new Date());

  async function runFrom({ signal, checkpoint }: IncrementalRunInput): Promise<IncrementalRunResult> {
    const body = await politeGet(url, {
      accept: (type) => type === '' || /xml|rss|atom|rdf/.test(type) || type === 'text/plain' || type === 'application/octet-stream',
      expected: 'an RSS or Atom feed',
      headers: { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1' },
      ...deps.http,
      signal,
    });
    const feed = parseFeed(decodeFeed(body.bytes, body.contentType), body.url);
    const broken = feed.problems.filter((p) => p.fatal);
    if (feed.format === 'unknown' && feed.entries.length === 0) {
      throw new FeedError(`${url} is not an RSS or Atom feed${broken[0] ? ` (line ${broken[0].line}: ${broken[0].message})` : ''}`);
    }
    if (broken.length > 0 && feed.entries.length === 0) {
      throw new FeedError(`${url}: broken XML at line ${broken[0]!.line}: ${broken[0]!.message}`);
    }
    const previous = RssCheckpoint.safeParse(checkpoint ?? undefined);
    const start: RssCheckpoint = previous.success ? previous.data : { newest: null, idsAtNewest: [], undated: [] };
    const warnings: string[] = [];
    if (checkpoint != null && !previous.success) warnings.push('checkpoint unreadable; starting from the whole feed');

    const { items, next, skipped } = selectNew(feed, start, { sourceId: config.id, channel, feedUrl: url, fallbackDate: feed.updatedAt ?? now().toISOString() });
    warnings.push(...skipped);
    if (broken.length > 0) {
      // Items after the break are unknown; keep the old checkpoint so they are not skipped once the feed is fixed.
      warnings.push(`${url}: broken XML at line ${broken[0]!.line}: ${broken[0]!.message}; kept the ${feed.entries.length} items read before it`);
      return { items, checkpoint: previous.success ? previous.data : null, warnings };
    }
    return { items, checkpoint: next, warnings };
  }

  return {
    id: config.id,
    kind: 'rss',
    runFrom,
    run: async (signal) => (await runFrom({ signal, checkpoint: null })).items,
  };
}

interface MapContext {
  sourceId: string;
  channel: Channel;
  feedUrl: string;
  fallbackDate: string;
}

/** Keep the items the checkpoint has not seen (one per id) and compute the checkpoint after them. */
export function selectNew(feed: ParsedFeed, cp: RssCheckpoint, ctx: MapContext): { items: RawItemInput[]; next: RssCheckpoint; skipped: string[] } {
  const seenAtNewest = new Set(cp.idsAtNewest);
  const seenUndated = new Set(cp.undated);
  const ids = new Set<string>();
  const items: RawItemInput[] = [];
  const skipped: string[] = [];
  let newest = cp.newest;
  let atNewest = new Set(cp.idsAtNewest);
  const undated: string[] = [];

  for (const entry of feed.entries) {
    const externalId = entryId(entry);
    if (ids.has(externalId)) continue;
    ids.add(externalId);
    const published = entry.publishedAt;
    if (published === undefined) {
      undated.push(externalId);
      if (seenUndated.has(externalId)) continue;
    } else {
      if (newest === null || published > newest) {
        newest = published;
        atNewest = new Set([externalId]);
      } else if (published === newest) {
        atNewest.add(externalId);
      }
      if (cp.newest !== null && (published < cp.newest || (published === cp.newest && seenAtNewest.has(externalId)))) continue;
    }
    const item = toRawItem(entry, externalId, feed, ctx);
    const check = RawItem.safeParse(item);
    if (check.success) items.push(item);
    else skipped.push(`item at line ${entry.line} (${externalId}) skipped: ${zodDetails(check.error.issues).map((d) => `${d.path}: ${d.message}`).join('; ')}`);
  }
  const keptUndated = [...new Set([...undated, ...cp.undated])].slice(0, MAX_UNDATED_IDS);
  return { items, next: { newest, idsAtNewest: [...atNewest], undated: keptUndated }, skipped };
}

function toRawItem(entry: FeedEntry, externalId: string, feed: ParsedFeed, ctx: MapContext): RawItemInput {
  const author = entry.author || entry.authorUri
    ? { ...(entry.author ? { name: entry.author } : {}), ...(entry.authorUri ? { id: entry.authorUri } : {}) }
    : undefined;
  return {
    source: { id: ctx.sourceId, kind: 'rss', ...(feed.title ? { name: feed.title.slice(0, 300) } : {}) },
    channel: ctx.channel,
    externalId,
    ...(entry.link ? { url: entry.link } : {}),
    ...(author ? { author } : {}),
    ...(entry.title ? { title: entry.title } : {}),
    text: entry.text ?? '',
    publishedAt: entry.publishedAt ?? ctx.fallbackDate,
    raw: { feed: ctx.feedUrl, format: feed.format, categories: entry.categories, dated: entry.publishedAt !== undefined },
  };
}

/** The feed's own id when it has one that fits; otherwise a hash of what the item says. */
function entryId(entry: FeedEntry): string {
  const id = entry.id?.trim();
  if (id && id.length <= 500) return id;
  const basis = id ?? `${entry.title ?? ''}\n${entry.publishedAt ?? ''}\n${entry.text ?? ''}`;
  return `sha256:${createHash('sha256').update(basis).digest('hex')}`;
}
