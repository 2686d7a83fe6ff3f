import { z } from 'zod';
import type { Channel, RawItemInput } from '../../model/index.ts';

/** One hit of the Algolia Hacker News search API; every field but the id may be null or absent. */
export const HnHit = z.looseObject({
  objectID: z.union([z.string(), z.number()]).transform(String),
  created_at_i: z.number().int().nonnegative(),
  created_at: z.string().nullish(),
  title: z.string().nullish(),
  story_title: z.string().nullish(),
  url: z.string().nullish(),
  story_url: z.string().nullish(),
  author: z.string().nullish(),
  points: z.number().nullish(),
  num_comments: z.number().nullish(),
  story_text: z.string().nullish(),
  comment_text: z.string().nullish(),
  parent_id: z.union([z.number(), z.string()]).nullish(),
  story_id: z.union([z.number(), z.string()]).nullish(),
  _tags: z.array(z.string()).nullish(),
});
export type HnHit = z.infer<typeof HnHit>;

/** One page of `search` / `search_by_date`. */
export const HnPage = z.looseObject({
  hits: z.array(z.unknown()),
  page: z.number().int().nonnegative().optional(),
  nbPages: z.number().int().nonnegative().optional(),
  nbHits: z.number().int().nonnegative().optional(),
  hitsPerPage: z.number().int().positive().optional(),
});
export type HnPage = z.infer<typeof HnPage>;

export interface HitContext {
  sourceId: string;
  channel: Channel;
  /** Where item links point: the HN site, not the API. */
  siteUrl?: string;
}

/** A story, poll or comment → a RawItem. Comments take their story's title; the thread is the story. */
export function hitToRawItem(hit: HnHit, ctx: HitContext): RawItemInput {
  const site = ctx.siteUrl ?? 'https://news.ycombinator.com';
  const isComment = hit._tags?.includes('comment') ?? (hit.comment_text != null && !hit.title);
  const storyId = hit.story_id != null ? String(hit.story_id) : isComment ? undefined : hit.objectID;
  const parentId = hit.parent_id != null ? String(hit.parent_id) : undefined;
  const title = nonEmpty(hit.title) ?? nonEmpty(hit.story_title);
  const text = nonEmpty(hit.comment_text) ?? nonEmpty(hit.story_text) ?? '';
  return {
    source: { id: ctx.sourceId, kind: 'hn', name: 'Hacker News' },
    channel: ctx.channel,
    externalId: hit.objectID,
    // The discussion page, not the story's outside link: that is where customers speak. The outside link is in `raw`.
    url: `${site}/item?id=${encodeURIComponent(hit.objectID)}`,
    ...(storyId ? { threadId: storyId } : {}),
    ...(parentId ? { parentId } : {}),
    ...(nonEmpty(hit.author) ? { author: { id: hit.author!, handle: hit.author! } } : {}),
    ...(title ? { title } : {}),
    text,
    publishedAt: new Date(hit.created_at_i * 1000).toISOString(),
    engagement: {
      ...(isCount(hit.points) ? { likes: hit.points } : {}),
      ...(isCount(hit.num_comments) ? { replies: hit.num_comments } : {}),
    },
    raw: {
      type: isComment ? 'comment' : (hit._tags?.find((t) => t === 'story' || t === 'poll' || t === 'pollopt') ?? 'story'),
      link: nonEmpty(hit.url) ?? nonEmpty(hit.story_url) ?? null,
      tags: hit._tags ?? [],
    },
  };
}

function nonEmpty(s: string | null | undefined): string | undefined {
  return s != null && s.trim() !== '' ? s : undefined;
}

function isCount(n: number | null | undefined): n is number {
  return n != null && Number.isInteger(n) && n >= 0;
}
