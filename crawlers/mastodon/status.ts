import { z } from 'zod';
import type { Channel, RawItemInput } from '../../model/index.ts';
import { htmlToPlainText } from '../html-text.ts';

export const MastodonAccount = z.looseObject({
  id: z.string(),
  username: z.string().nullish(),
  acct: z.string(),
  display_name: z.string().nullish(),
  url: z.string().nullish(),
  uri: z.string().nullish(),
  followers_count: z.number().nullish(),
  bot: z.boolean().nullish(),
});

const StatusFields = {
  id: z.string().regex(/^\d+$/, 'expected a numeric status id'),
  uri: z.string().nullish(),
  url: z.string().nullish(),
  created_at: z.iso.datetime({ offset: true }),
  content: z.string().nullish(),
  spoiler_text: z.string().nullish(),
  language: z.string().nullish(),
  visibility: z.string().nullish(),
  in_reply_to_id: z.string().nullish(),
  replies_count: z.number().nullish(),
  reblogs_count: z.number().nullish(),
  favourites_count: z.number().nullish(),
  account: MastodonAccount,
  tags: z.array(z.looseObject({ name: z.string() })).nullish(),
};

/** A status as /api/v1/timelines/* and /api/v2/search write it; a boost carries the boosted status in `reblog`. */
export const MastodonStatus = z.looseObject({
  ...StatusFields,
  reblog: z.looseObject(StatusFields).nullish(),
});
export type MastodonStatus = z.infer<typeof MastodonStatus>;

export interface StatusContext {
  sourceId: string;
  channel: Channel;
  /** The instance read from, for the source's name. */
  instance: string;
}

/**
 * A status → a RawItem. A boost stands for the boosted status (its words, its author). The id is the
 * status's ActivityPub URI, the same on every instance, so one post federated to two sources is one item.
 */
export function statusToRawItem(status: MastodonStatus, ctx: StatusContext): RawItemInput {
  const s = status.reblog ?? status;
  const a = s.account;
  const uri = s.uri && s.uri.length <= 500 ? s.uri : undefined;
  const tags = (s.tags ?? []).map((t) => t.name);
  const link = s.url ?? s.uri;
  return {
    source: { id: ctx.sourceId, kind: 'mastodon', name: ctx.instance },
    channel: ctx.channel,
    externalId: uri ?? `${ctx.instance}/${s.id}`,
    ...(link && /^https?:\/\//.test(link) ? { url: link } : {}),
    ...(s.in_reply_to_id ? { parentId: s.in_reply_to_id } : {}),
    author: {
      id: a.uri ?? a.url ?? a.acct,
      handle: `@${a.acct}`,
      ...(a.display_name?.trim() ? { name: a.display_name } : {}),
      ...(isCount(a.followers_count) ? { followers: a.followers_count } : {}),
    },
    // A content warning says what the post is about before it is opened: the nearest thing to a title.
    ...(s.spoiler_text?.trim() ? { title: s.spoiler_text } : {}),
    text: htmlToPlainText(s.content ?? ''),
    publishedAt: new Date(s.created_at).toISOString(),
    engagement: {
      ...(isCount(s.favourites_count) ? { likes: s.favourites_count } : {}),
      ...(isCount(s.reblogs_count) ? { shares: s.reblogs_count } : {}),
      ...(isCount(s.replies_count) ? { replies: s.replies_count } : {}),
    },
    ...(tags.length ? { dimensions: { tags: tags.join(',').slice(0, 500) } } : {}),
    raw: { id: s.id, language: s.language ?? null, visibility: s.visibility ?? null, boostedBy: status.reblog ? status.account.acct : null, bot: a.bot ?? false },
  };
}

/** Snowflake ids outgrow a double: compare them as decimal strings. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function isCount(n: number | null | undefined): n is number {
  return n != null && Number.isInteger(n) && n >= 0;
}
