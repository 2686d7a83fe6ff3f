import { z } from 'zod';
import type { Channel, RawItemInput } from '../../model/index.ts';

/** A post (t3) or comment (t1) as Reddit's JSON API writes it; most fields may be null. */
export const RedditThingData = z.looseObject({
  name: z.string().regex(/^t[13]_[0-9a-z]+$/, 'expected a post or comment fullname such as t3_abc123'),
  id: z.string().optional(),
  created_utc: z.number().nonnegative(),
  subreddit: z.string().nullish(),
  author: z.string().nullish(),
  author_fullname: z.string().nullish(),
  title: z.string().nullish(),
  selftext: z.string().nullish(),
  body: z.string().nullish(),
  permalink: z.string().nullish(),
  url: z.string().nullish(),
  is_self: z.boolean().nullish(),
  score: z.number().nullish(),
  num_comments: z.number().nullish(),
  link_id: z.string().nullish(),
  link_title: z.string().nullish(),
  parent_id: z.string().nullish(),
  link_flair_text: z.string().nullish(),
  over_18: z.boolean().nullish(),
  lang: z.string().nullish(),
});
export type RedditThingData = z.infer<typeof RedditThingData>;

/** `{kind: "Listing", data: {children, after}}`: what /new, /comments and /search answer. */
export const RedditListing = z.looseObject({
  kind: z.literal('Listing'),
  data: z.looseObject({
    children: z.array(z.looseObject({ kind: z.string(), data: z.unknown() })),
    after: z.string().nullish(),
    before: z.string().nullish(),
  }),
});
export type RedditListing = z.infer<typeof RedditListing>;

export interface ThingContext {
  sourceId: string;
  channel: Channel;
  /** Where item links point: the Reddit site, whichever host the API was read from. */
  siteUrl?: string;
}

const GONE = new Set(['[deleted]', '[removed]']);

/** A post or comment → a RawItem. Comments take their post's title; the thread is the post. */
export function thingToRawItem(thing: RedditThingData, ctx: ThingContext): RawItemInput {
  const site = ctx.siteUrl ?? 'https://www.reddit.com';
  const isComment = thing.name.startsWith('t1_');
  const author = nonEmpty(thing.author);
  const text = isComment ? thing.body : thing.selftext;
  const said = text && !GONE.has(text.trim()) ? text : '';
  // A comment's title is its post's: a deleted comment must not pass for feedback through it.
  const title = isComment ? (said.trim() ? nonEmpty(thing.link_title) : undefined) : nonEmpty(thing.title);
  const threadId = isComment ? nonEmpty(thing.link_id) : thing.name;
  const dims: Record<string, string> = {};
  if (nonEmpty(thing.subreddit)) dims.subreddit = thing.subreddit!;
  if (nonEmpty(thing.link_flair_text)) dims.flair = thing.link_flair_text!.slice(0, 500);
  return {
    source: { id: ctx.sourceId, kind: 'reddit', name: 'Reddit' },
    channel: ctx.channel,
    externalId: thing.name,
    ...(nonEmpty(thing.permalink) ? { url: new URL(thing.permalink!, site).href } : {}),
    ...(threadId ? { threadId } : {}),
    ...(isComment && nonEmpty(thing.parent_id) ? { parentId: thing.parent_id! } : {}),
    ...(author && !GONE.has(author) ? { author: { id: nonEmpty(thing.author_fullname) ?? author, handle: author } } : {}),
    ...(title ? { title } : {}),
    // A removed post keeps its title; its body says "[removed]", which is not the customer speaking.
    text: said,
    publishedAt: new Date(thing.created_utc * 1000).toISOString(),
    engagement: {
      // Scores go negative; engagement counts do not, so a downvoted post reports no likes.
      ...(isCount(thing.score) ? { likes: thing.score } : {}),
      ...(isCount(thing.num_comments) && !isComment ? { replies: thing.num_comments } : {}),
    },
    ...(Object.keys(dims).length ? { dimensions: dims } : {}),
    raw: {
      type: isComment ? 'comment' : 'post',
      score: thing.score ?? null,
      link: !isComment && thing.is_self === false ? nonEmpty(thing.url) ?? null : null,
      over18: thing.over_18 ?? false,
    },
  };
}

function nonEmpty(s: string | null | undefined): string | undefined {
  return s != null && s.trim() !== '' ? s : undefined;
}

function isCount(n: number | null | undefined): n is number {
  return n != null && Number.isInteger(n) && n >= 0;
}
