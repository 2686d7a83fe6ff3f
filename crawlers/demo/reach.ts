import type { Author, Channel, Engagement } from '../../model/index.ts';
import type { DemoAuthor } from './authors.ts';
import type { Rng } from './prng.ts';

/** What a public post shows of its author: handle and reach, never the customer's name. */
export function publicAuthor(a: DemoAuthor): Author {
  return { id: a.id, handle: a.handle, followers: a.followers, verified: a.verified };
}

/** A link in the style of the site the post is on; reserved example domains, so nothing resolves. */
export function postUrl(n: number, channel: Channel, author: DemoAuthor, lang: 'en' | 'zh'): string {
  if (channel === 'forum') return `https://community.hearthly.example/t/${n}`;
  if (channel === 'review') return `https://reviews.example.com/hearthly/${n}`;
  return lang === 'zh' ? `https://weibo.example.cn/u/${author.id}/${n}` : `https://social.example.com/${author.handle}/status/${n}`;
}

/** Heavy-tailed like real posts: most get nothing, big accounts and the odd viral post get a lot. */
export function engagement(rng: Rng, author: DemoAuthor, channel: Channel): Engagement {
  if (channel === 'forum') return { likes: rng.int(0, 25), replies: rng.int(0, 30), views: rng.int(20, 3000) };
  if (channel === 'review') return { likes: rng.int(0, 15) };
  const likes = rng.pareto(1, 1.3, 20_000) - 1 + Math.floor(author.followers * 0.003 * rng.next());
  const shares = Math.floor(likes * 0.4 * rng.next());
  const replies = Math.floor(likes * 0.2 * rng.next()) + rng.int(0, 2);
  return { likes, shares, replies, views: likes * rng.int(15, 60) + rng.int(20, 400) };
}
