/**
 * Parser throughput of each connector: page text → schema check → RawItem mapping → RawItem validation,
 * the work a connector does per page once the bytes have arrived. Pages are the recorded answers under
 * ../shared/fixtures (and the CFPB record format under ../shared/data), repeated to about 50,000 items;
 * without ../shared, the synthetic test fixtures stand in. The IMAP case parses a written multipart
 * complaint mail (text, HTML and an attachment), there being no recorded mailbox. Run by bench:crawl
 * after the crawlers.
 *   node --import tsx bench/connectors.ts [--items 50000] [--rounds 5]
 * Prints items/s per connector (median of the rounds) and writes bench/results/connectors.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { JsonFeed, parseJsonReviews, parseXmlReviews, reviewToRawItem } from '../crawlers/appstore/reviews.ts';
import { CfpbAnswer, CfpbComplaint, complaintToRawItem } from '../crawlers/cfpb/complaints.ts';
import { DiscoursePost, DiscourseTopic, postToRawItem } from '../crawlers/discourse/answers.ts';
import { HnHit, HnPage, hitToRawItem } from '../crawlers/hn/hits.ts';
import { messageToRawItem } from '../crawlers/imap/message.ts';
import { parseFeed } from '../crawlers/rss/feed.ts';
import { selectNew } from '../crawlers/rss/source.ts';
import { MastodonStatus, statusToRawItem } from '../crawlers/mastodon/status.ts';
import { RedditListing, RedditThingData, thingToRawItem } from '../crawlers/reddit/things.ts';
import { RawItem } from '../model/index.ts';
import { jsonFeed, review, xmlFeed } from '../test/fixtures/connectors/appstore.ts';
import { complaint, narrative } from '../test/fixtures/connectors/cfpb.ts';
import { fakePost } from '../test/fixtures/connectors/discourse.ts';
import { status } from '../test/fixtures/connectors/mastodon.ts';
import { comment, post } from '../test/fixtures/connectors/reddit.ts';
import { arg, median, report } from './report.ts';

const ITEMS = arg('items', 50_000);
const ROUNDS = arg('rounds', 5);
const SHARED = fileURLToPath(new URL('../../shared', import.meta.url));
const recorded = existsSync(`${SHARED}/fixtures/reddit`) && existsSync(`${SHARED}/data/cfpb/ccdb-format-fixtures/ccdb.ndjson`);
const read = (rel: string) => readFileSync(`${SHARED}/${rel}`, 'utf8');

/** `n` entries cycling through `pool`, each with a fresh id so nothing is deduplicated away. */
function cycle<T>(pool: readonly T[], n: number, withId: (entry: T, i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => withId(pool[i % pool.length]!, i));
}

interface Case { name: string; perPage: number; page: string; parse: (page: string) => number }

function valid(item: unknown): number {
  return RawItem.safeParse(item).success ? 1 : 0;
}

function redditCase(): Case {
  const things = recorded
    ? ['listings_posts.json', 'user_overview.json', 'subreddit_posts.json', 'subreddit_search-posts.json', 'user_comments.json']
      .flatMap((f) => (JSON.parse(read(`fixtures/reddit/${f}`)) as { data: { children: Array<{ kind: string; data: Record<string, unknown> }> } }).data.children)
      .filter((c) => c.kind === 't3' || c.kind === 't1')
    : [post('a', 1_700_000_000, 'Acme app crashes'), comment('b', 1_700_000_100, 'Same here', 'a')];
  const children = cycle(things, 100, (c, i) => ({ ...c, data: { ...c.data, name: `${c.kind}_x${i}` } }));
  return {
    name: 'reddit', perPage: 100,
    page: JSON.stringify({ kind: 'Listing', data: { after: 't3_next', children } }),
    parse: (page) => {
      let n = 0;
      for (const child of RedditListing.parse(JSON.parse(page)).data.children) n += valid(thingToRawItem(RedditThingData.parse(child.data), { sourceId: 'r', channel: 'social' }));
      return n;
    },
  };
}

function mastodonCase(): Case {
  let pool: unknown[];
  if (recorded) {
    const doc = parseYaml(read('fixtures/mastodon/test_public_tl.yaml')) as { interactions: Array<{ request: { method: string; uri: string }; response: { body: { string: string } } }> };
    pool = doc.interactions.filter((i) => i.request.method === 'GET' && i.request.uri.endsWith('/timelines/public')).flatMap((i) => JSON.parse(i.response.body.string) as unknown[]);
  } else {
    pool = [status('1', '2025-03-01T00:00:00Z', '<p>Acme support closed my ticket<br>again</p>')];
  }
  const page = cycle(pool as Array<Record<string, unknown>>, 40, (s, i) => ({ ...s, id: String(1_000_000 + i), uri: `https://social.example/statuses/${i}` }));
  return {
    name: 'mastodon', perPage: 40, page: JSON.stringify(page),
    parse: (text) => {
      let n = 0;
      for (const raw of JSON.parse(text) as unknown[]) n += valid(statusToRawItem(MastodonStatus.parse(raw), { sourceId: 'm', channel: 'social', instance: 'social.example' }));
      return n;
    },
  };
}

function discourseCase(): Case {
  const topic = recorded
    ? JSON.parse(read('fixtures/discourse/topic.json')) as { post_stream: { posts: Array<Record<string, unknown>> } } & Record<string, unknown>
    : { id: 1, title: 'Invoices', slug: 'invoices', category_id: 5, post_stream: { posts: [fakePost(1, 1, '2025-03-01T00:00:00Z', '<p>The invoice page is empty.</p>') as unknown as Record<string, unknown>] } };
  const regular = topic.post_stream.posts.filter((p) => (p.post_type ?? 1) === 1);
  const posts = cycle(regular, 20, (p, i) => ({ ...p, id: 10_000 + i, post_number: i + 1 }));
  return {
    name: 'discourse', perPage: 20,
    page: JSON.stringify({ ...topic, post_stream: { posts, stream: posts.map((p) => p.id) } }),
    parse: (text) => {
      const t = DiscourseTopic.parse(JSON.parse(text));
      let n = 0;
      for (const raw of t.post_stream.posts) n += valid(postToRawItem(DiscoursePost.parse(raw), { sourceId: 'd', channel: 'forum', siteUrl: 'https://forum.example.com', topic: t, category: 'Support' }));
      return n;
    },
  };
}

function appStoreCases(): Case[] {
  const fake = Array.from({ length: 50 }, (_, i) => review(6_000_000_000 + i, '2025-02-01T10:00:00-07:00', `Review ${i}`, 1 + (i % 5)));
  const xml = recorded ? read('fixtures/appstore/DayBySay_Reviewer_fixture_0.xml') : xmlFeed(fake, 'us', '1404176564', 10);
  const json = recorded ? read('fixtures/appstore/DayBySay_Reviewer_fixture_1.json') : jsonFeed(fake, 'us', '1404176564', 10);
  const ctx = { sourceId: 'a', channel: 'review' as const, appId: '1404176564', country: 'jp', fallbackDate: '2020-08-08T03:17:03.000Z' };
  return [
    { name: 'appstore (XML)', perPage: 50, page: xml, parse: (text) => parseXmlReviews(text).reviews.reduce((n, r) => n + valid(reviewToRawItem(r, ctx)), 0) },
    { name: 'appstore (JSON)', perPage: 50, page: json, parse: (text) => parseJsonReviews(JsonFeed.parse(JSON.parse(text))).reviews.reduce((n, r) => n + valid(reviewToRawItem(r, ctx)), 0) },
  ];
}

function cfpbCase(): Case {
  const pool = recorded
    ? read('data/cfpb/ccdb-format-fixtures/ccdb.ndjson').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>)
    : [complaint(1, '2025-02-01'), narrative(2, '2025-02-02', 'I disputed a charge and nobody answered.')];
  const hits = cycle(pool, 100, (c, i) => ({ ...c, complaint_id: String(5_000_000 + i) })).map((c) => ({ _source: c }));
  return {
    name: 'cfpb', perPage: 100, page: JSON.stringify({ hits: { total: { value: 100 }, hits } }),
    parse: (text) => {
      let n = 0;
      for (const hit of CfpbAnswer.parse(JSON.parse(text)).hits.hits) {
        const item = complaintToRawItem(CfpbComplaint.parse(hit._source), { sourceId: 'c', channel: 'regulator', withoutNarrative: 'issue' });
        if (item) n += valid(item);
      }
      return n;
    },
  };
}

function hnCase(): Case {
  const pool = recorded
    ? (JSON.parse(read('fixtures/hn/node-hacker-news-api_fixtures.json')) as Array<{ reply: { hits?: Array<Record<string, unknown>> } }>).flatMap((f) => f.reply.hits ?? [])
    : [{ objectID: '1', created_at_i: 1_740_787_200, author: 'a', title: 'Acme outage', story_text: 'Acme is down again', _tags: ['story'] }];
  const hits = cycle(pool, 50, (h, i) => ({ ...h, objectID: String(40_000_000 + i) }));
  return {
    name: 'hacker news', perPage: 50, page: JSON.stringify({ hits, nbHits: 1000, page: 0, nbPages: 20, hitsPerPage: 50 }),
    parse: (text) => HnPage.parse(JSON.parse(text)).hits.reduce<number>((n, hit) => n + valid(hitToRawItem(HnHit.parse(hit), { sourceId: 'h', channel: 'forum' })), 0),
  };
}

function rssCases(): Case[] {
  const FEED = 'https://feed.example/';
  const ctx = { sourceId: 'f', channel: 'news' as const, feedUrl: FEED, fallbackDate: '2025-01-01T00:00:00.000Z' };
  const fresh = { newest: null, idsAtNewest: [], undated: [] };
  const items = (xml: string) => selectNew(parseFeed(xml, FEED), fresh, ctx).items;
  const feeds = recorded
    ? [['rss', 'fixtures/rss/guardian.rss'], ['atom', 'fixtures/rss/heise.atom']].map(([kind, f]) => [kind!, read(f!)] as const)
    : [['rss', `<?xml version="1.0"?><rss version="2.0"><channel><title>Acme</title>${Array.from({ length: 20 }, (_, i) => `<item><guid>n-${i}</guid><title>Late parcel ${i}</title><pubDate>Sat, 01 Mar 2025 10:${String(i).padStart(2, '0')}:00 +0000</pubDate><description>The courier never came.</description></item>`).join('')}</channel></rss>`] as const];
  return feeds.map(([kind, xml]) => ({
    name: `rss/atom (${kind})`, perPage: items(xml).length, page: xml,
    parse: (text) => items(text).reduce((n, item) => n + valid(item), 0),
  }));
}

function imapCase(): Case {
  const boundary = 'b-7f3a';
  const mail = [
    'From: "Li Wei" <li.wei@example.com>', 'To: complaints@acme.example', 'Subject: =?UTF-8?B?6YCA5qy+6L+Y5rKh5Yiw?=',
    'Date: Sat, 01 Mar 2025 10:12:00 +0800', 'Message-ID: <c-1@example.com>', 'In-Reply-To: <c-0@acme.example>',
    'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${boundary}"`, '',
    `--${boundary}`, 'Content-Type: multipart/alternative; boundary="alt"', '',
    '--alt', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '',
    'I returned the kettle on 3 February and the refund has still not arrived. This is the third time I =',
    'write; if nothing happens this week I will go to the consumer association.', '', '> On 20 Feb, Acme wrote:', '> We are looking into it.', '',
    '--alt', 'Content-Type: text/html; charset=utf-8', '', '<p>I returned the kettle on 3 February and the refund has still not arrived.</p>', '',
    '--alt--', `--${boundary}`, 'Content-Type: application/pdf; name="receipt.pdf"', 'Content-Disposition: attachment; filename="receipt.pdf"',
    'Content-Transfer-Encoding: base64', '', Buffer.alloc(3000, 7).toString('base64').replace(/.{76}/gu, '$&\r\n'), `--${boundary}--`, '',
  ].join('\r\n');
  return {
    name: 'imap (MIME message)', perPage: 1, page: mail,
    parse: (text) => valid(messageToRawItem(Buffer.from(text), { sourceId: 'i', channel: 'email', mailbox: 'INBOX', uidValidity: '1', uid: 1 }).item),
  };
}

const cases = [redditCase(), mastodonCase(), discourseCase(), hnCase(), ...rssCases(), ...appStoreCases(), cfpbCase(), imapCase()];
const rows: Array<[string, string | number, string?]> = [];
const detail: Record<string, unknown> = {};
console.log(`payloads: ${recorded ? `recorded answers from ${SHARED}` : 'synthetic test fixtures (../shared not found)'}; ~${ITEMS} items per round, ${ROUNDS} rounds`);
for (const c of cases) {
  const pages = Math.ceil(ITEMS / c.perPage);
  // One page first: warms the JIT and checks that every item of the page maps to a valid RawItem.
  const perPage = c.parse(c.page);
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let items = 0;
    const t0 = process.hrtime.bigint();
    for (let p = 0; p < pages; p++) items += c.parse(c.page);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    rates.push(items / (ms / 1000));
  }
  const rate = Math.round(median(rates));
  process.stdout.write(`  ${c.name}: ${rate.toLocaleString('en-US')} items/s\n`);
  rows.push([`${c.name} items/s`, rate, `${perPage} valid items per page of ${c.page.length.toLocaleString('en-US')} chars; ${pages} pages per round`]);
  detail[c.name] = { rounds: rates.map(Math.round), perPage, pageChars: c.page.length, pages };
}
report('connectors', rows, { items: ITEMS, rounds: ROUNDS, recorded, cases: detail, loadavg: os.loadavg() });
