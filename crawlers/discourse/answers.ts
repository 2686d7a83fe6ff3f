import { z } from 'zod';
import type { Channel, RawItemInput } from '../../model/index.ts';
import { htmlToPlainText } from '../html-text.ts';

/** One topic of `/latest.json` (`topic_list.topics[]`). */
export const DiscourseTopicSummary = z.looseObject({
  id: z.number().int().positive(),
  title: z.string().nullish(),
  slug: z.string().nullish(),
  bumped_at: z.iso.datetime({ offset: true }),
  category_id: z.number().int().nullish(),
  pinned: z.boolean().nullish(),
  posts_count: z.number().int().nullish(),
});
export type DiscourseTopicSummary = z.infer<typeof DiscourseTopicSummary>;

export const DiscourseTopicList = z.looseObject({
  topic_list: z.looseObject({
    topics: z.array(z.unknown()),
    more_topics_url: z.string().nullish(),
  }),
});

/** One post as `/t/:id.json` and `/t/:id/posts.json` write it. */
export const DiscoursePost = z.looseObject({
  id: z.number().int().positive(),
  post_number: z.number().int().positive(),
  post_type: z.number().int().nullish(),
  created_at: z.iso.datetime({ offset: true }),
  cooked: z.string().nullish(),
  username: z.string().nullish(),
  name: z.string().nullish(),
  user_id: z.number().int().nullish(),
  topic_id: z.number().int().nullish(),
  topic_slug: z.string().nullish(),
  reply_count: z.number().int().nullish(),
  reply_to_post_number: z.number().int().nullish(),
  like_count: z.number().int().nullish(),
  actions_summary: z.array(z.looseObject({ id: z.number(), count: z.number().nullish() })).nullish(),
  deleted_at: z.string().nullish(),
  hidden: z.boolean().nullish(),
  user_deleted: z.boolean().nullish(),
});
export type DiscoursePost = z.infer<typeof DiscoursePost>;

/** `/t/:id.json`: the topic, the first posts and the ids of all of them (`stream`). */
export const DiscourseTopic = z.looseObject({
  id: z.number().int().positive(),
  title: z.string().nullish(),
  slug: z.string().nullish(),
  category_id: z.number().int().nullish(),
  tags: z.array(z.union([z.string(), z.looseObject({ name: z.string() })])).nullish(),
  post_stream: z.looseObject({
    posts: z.array(z.unknown()),
    stream: z.array(z.number().int()).nullish(),
  }),
});
export type DiscourseTopic = z.infer<typeof DiscourseTopic>;

/** `/t/:id/posts.json?post_ids[]=…`. */
export const DiscoursePostsAnswer = z.looseObject({
  post_stream: z.looseObject({ posts: z.array(z.unknown()) }),
});

export const DiscourseCategories = z.looseObject({
  category_list: z.looseObject({
    categories: z.array(z.looseObject({
      id: z.number().int(),
      name: z.string(),
      subcategory_list: z.array(z.looseObject({ id: z.number().int(), name: z.string() })).nullish(),
    })),
  }),
});

/** Discourse's post action type for a like. */
const LIKE = 2;
/** Regular posts; moderator actions, small actions ("pinned this topic") and whispers are not customers speaking. */
export const REGULAR_POST = 1;

export interface PostContext {
  sourceId: string;
  channel: Channel;
  /** The forum's address, for links. */
  siteUrl: string;
  topic: Pick<DiscourseTopic, 'id' | 'title' | 'slug'>;
  category?: string;
  tags?: string[];
  /** Post number → post id within the topic, to name the post replied to. */
  idByNumber?: ReadonlyMap<number, number>;
}

/** A post → a RawItem: the thread is its topic, the title the topic's, the text the rendered post as plain text. */
export function postToRawItem(post: DiscoursePost, ctx: PostContext): RawItemInput {
  const topicId = post.topic_id ?? ctx.topic.id;
  const slug = post.topic_slug ?? ctx.topic.slug ?? 'topic';
  const likes = post.like_count ?? post.actions_summary?.find((a) => a.id === LIKE)?.count ?? undefined;
  const parent = post.reply_to_post_number != null ? ctx.idByNumber?.get(post.reply_to_post_number) : undefined;
  const dims: Record<string, string> = {};
  if (ctx.category) dims.category = ctx.category.slice(0, 500);
  if (ctx.tags?.length) dims.tags = ctx.tags.join(',').slice(0, 500);
  const username = nonEmpty(post.username);
  return {
    source: { id: ctx.sourceId, kind: 'discourse', name: new URL(ctx.siteUrl).host },
    channel: ctx.channel,
    externalId: String(post.id),
    url: `${ctx.siteUrl}/t/${encodeURIComponent(slug)}/${topicId}/${post.post_number}`,
    threadId: String(topicId),
    ...(parent !== undefined ? { parentId: String(parent) } : {}),
    ...(username ? { author: { id: post.user_id != null ? String(post.user_id) : username, handle: username, ...(nonEmpty(post.name) ? { name: post.name! } : {}) } } : {}),
    ...(nonEmpty(ctx.topic.title) ? { title: ctx.topic.title! } : {}),
    text: htmlToPlainText(post.cooked ?? ''),
    publishedAt: new Date(post.created_at).toISOString(),
    engagement: {
      ...(isCount(likes) ? { likes } : {}),
      ...(isCount(post.reply_count) ? { replies: post.reply_count } : {}),
    },
    ...(Object.keys(dims).length ? { dimensions: dims } : {}),
    raw: { postNumber: post.post_number, replyToPostNumber: post.reply_to_post_number ?? null, topicId },
  };
}

function nonEmpty(s: string | null | undefined): string | undefined {
  return s != null && s.trim() !== '' ? s : undefined;
}

function isCount(n: number | null | undefined): n is number {
  return n != null && Number.isInteger(n) && n >= 0;
}
