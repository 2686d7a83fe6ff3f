import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, test } from 'vitest';
import { appStoreSource } from '../../crawlers/appstore/source.ts';
import { CfpbComplaint, complaintToRawItem } from '../../crawlers/cfpb/complaints.ts';
import { cfpbSource } from '../../crawlers/cfpb/source.ts';
import { DiscoursePost, DiscoursePostsAnswer, postToRawItem } from '../../crawlers/discourse/answers.ts';
import { discourseSource } from '../../crawlers/discourse/source.ts';
import type { FetchOptions } from '../../crawlers/http.ts';
import { mastodonSource } from '../../crawlers/mastodon/source.ts';
import { MastodonStatus, statusToRawItem } from '../../crawlers/mastodon/status.ts';
import { redditSource } from '../../crawlers/reddit/source.ts';
import { RedditListing, RedditThingData, thingToRawItem } from '../../crawlers/reddit/things.ts';
import { SourceConfig } from '../../config/schema.ts';
import { RawItem, type RawItemInput } from '../../model/index.ts';
import { fixtureServer, send, type FixtureServer, type Handler } from '../helpers/fixture-server.ts';

/**
 * Real recorded API answers, read where they lie (never copied into the repo) and served from a local
 * server to the connectors: Reddit listings (reddit-api-wrapper's test data), Mastodon VCR cassettes
 * (Mastodon.py's test suite), Discourse answers (discourse_api's fixtures), App Store review feeds in
 * JSON and XML, and CFPB complaint records in the database's own format.
 */
const SHARED = fileURLToPath(new URL('../../../shared', import.meta.url));
const FIXTURES = `${SHARED}/fixtures`;
const CCDB = `${SHARED}/data/cfpb/ccdb-format-fixtures/ccdb.ndjson`;
const NEEDED = ['reddit', 'mastodon', 'discourse', 'appstore'].map((d) => `${FIXTURES}/${d}`).concat(CCDB);
const present = NEEDED.every((p) => existsSync(p));
if (!present) console.warn(`connector conformance skipped: recorded fixtures not found under ${SHARED}`);

const FAST: FetchOptions = { retries: 1, backoffMs: 5, maxRetryWaitMs: 20, timeoutMs: 5_000 };
const signal = () => new AbortController().signal;
const read = (rel: string) => readFileSync(`${FIXTURES}/${rel}`, 'utf8');
const json = (rel: string): unknown => JSON.parse(read(rel));
const EMPTY_LISTING = JSON.stringify({ kind: 'Listing', data: { children: [], after: null, before: null } });

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function valid(items: unknown[]): RawItemInput[] {
  for (const item of items) {
    const parsed = RawItem.safeParse(item);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  }
  return items as RawItemInput[];
}

function config(kind: string, options: Record<string, unknown>) {
  return SourceConfig.parse({ id: `${kind}-recorded`, kind, options });
}

/** Serve a recorded body on its first request and, when asked for the next page, an empty answer. */
function firstThen(type: string, body: string, then: string, isNext: (url: URL) => boolean): Handler {
  return (_req, res, _hit, url) => send(res, 200, type, isNext(url) ? then : body);
}

interface Interaction { request: { method: string; uri: string }; response: { status: { code: number }; headers: Record<string, string[]>; body: { string: string } } }

/** A VCR cassette's GET interactions, answered by path; among several on one path, the one whose query fits best. */
function cassette(file: string): Record<string, Handler> {
  const doc = parseYaml(read(`mastodon/${file}`)) as { interactions: Interaction[] };
  const byPath = new Map<string, Array<{ query: URLSearchParams; response: Interaction['response'] }>>();
  for (const i of doc.interactions) {
    if (i.request.method !== 'GET') continue;
    const u = new URL(i.request.uri);
    byPath.set(u.pathname, [...(byPath.get(u.pathname) ?? []), { query: u.searchParams, response: i.response }]);
  }
  const routes: Record<string, Handler> = {};
  for (const [path, recorded] of byPath) {
    routes[path] = (_req: unknown, res: ServerResponse, _hit: number, url: URL) => {
      const score = (q: URLSearchParams) => [...url.searchParams].filter(([k, v]) => q.get(k) === v).length - [...q.keys()].filter((k) => !url.searchParams.has(k)).length;
      const best = [...recorded].sort((a, b) => score(b.query) - score(a.query))[0]!.response;
      const headers: Record<string, string> = {};
      for (const name of ['link', 'content-type']) if (best.headers[name]?.[0]) headers[name] = best.headers[name][0];
      send(res, best.status.code, headers['content-type'] ?? 'application/json', best.body.string, headers);
    };
  }
  return routes;
}

describe.skipIf(!present)('recorded Reddit listings', () => {
  const source = (baseUrl: string, options: Record<string, unknown>) =>
    redditSource(config('reddit', { baseUrl, lookback: '4000d', ...options }), { http: FAST, now: () => new Date('2020-08-04T00:00:00Z') });

  test('a subreddit\'s /new listing, followed by after=, yields its posts', async () => {
    server = await fixtureServer({
      '/r/test/new.json': firstThen('application/json', read('reddit/subreddit_posts.json'), EMPTY_LISTING, (u) => u.searchParams.has('after')),
    });
    const result = await source(server.url, { subreddit: 'test' }).runFrom({ signal: signal(), checkpoint: null });
    const items = valid(result.items);
    expect(items.map((i) => i.externalId)).toEqual(['t3_agi5zf', 't3_hyhquk']);
    expect(server.requests.map((r) => r.path)).toEqual(['/r/test/new.json?limit=100&raw_json=1', '/r/test/new.json?limit=100&raw_json=1&after=t3_hyhquk']);
    expect(items[0]).toMatchObject({
      url: 'https://www.reddit.com/r/test/comments/agi5zf/test/', author: { handle: 'kmiller0112' }, title: 'test', text: 'test',
      publishedAt: new Date(1547618271 * 1000).toISOString(), engagement: { likes: 253, replies: 1634 }, dimensions: { subreddit: 'test' },
    });
    expect(result.warnings).toEqual([]);
  });

  test('search results, comments and a mixed listing map to valid items', async () => {
    server = await fixtureServer({
      '/search.json': firstThen('application/json', read('reddit/subreddit_search-posts.json'), EMPTY_LISTING, (u) => u.searchParams.has('after')),
      '/r/apple/new.json': (_q, res) => send(res, 200, 'application/json', EMPTY_LISTING),
      '/r/apple/comments.json': firstThen('application/json', read('reddit/user_comments.json'), EMPTY_LISTING, (u) => u.searchParams.has('after')),
      '/r/test/new.json': (_q, res) => send(res, 200, 'application/json', read('reddit/listings_posts-comments-subreddits.json')),
    });
    const search = valid((await source(server.url, { query: 'covid' }).runFrom({ signal: signal(), checkpoint: null })).items);
    expect(search.map((i) => i.externalId)).toEqual(['t3_hybow9', 't3_hmwhd7']);
    expect(search[1]).toMatchObject({ title: 'Brazilian president Jair Bolsonaro tests positive for coronavirus', text: '', dimensions: { subreddit: 'worldnews', flair: 'COVID-19' }, engagement: { likes: 149238, replies: 7415 } });
    expect(search[1]!.raw).toMatchObject({ link: 'https://www.theguardian.com/world/2020/jul/07/jair-bolsonaro-coronavirus-positive-test-brazil-president' });

    const comments = valid((await source(server.url, { subreddit: 'apple', comments: true }).runFrom({ signal: signal(), checkpoint: null })).items);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ externalId: 't1_f0zsa37', threadId: 't3_d7ejpn', parentId: 't3_d7ejpn', text: 'Thank you!', author: { handle: 'v_95' }, engagement: { likes: 1 } });

    // A subreddit (t5) in a listing is not feedback and is passed over without a warning.
    const mixed = await source(server.url, { subreddit: 'test' }).runFrom({ signal: signal(), checkpoint: null });
    expect(valid(mixed.items).map((i) => i.externalId)).toEqual(['t3_i2gvg4', 't1_g05v931']);
    expect(mixed.warnings).toEqual([]);
  });

  test('every post and comment in every recorded listing becomes a valid item', () => {
    const files = ['listings_posts.json', 'user_overview.json', 'user_submitted.json', 'subreddit_posts.json', 'subreddit_search-posts.json'];
    const listings = files.map((f) => json(`reddit/${f}`)).concat(json('reddit/post_post.json') as unknown[], json('reddit/post_duplicates.json') as unknown[]);
    let things = 0;
    for (const raw of listings) {
      for (const child of RedditListing.parse(raw).data.children) {
        if (child.kind !== 't1' && child.kind !== 't3') continue;
        things++;
        valid([thingToRawItem(RedditThingData.parse(child.data), { sourceId: 'r', channel: 'social' })]);
      }
    }
    expect(things).toBe(14);
  });
});

describe.skipIf(!present)('recorded Mastodon cassettes', () => {
  const RECORDED_AT = () => new Date('2026-08-01T14:00:00Z');
  const source = (baseUrl: string, options: Record<string, unknown>) => mastodonSource(config('mastodon', { baseUrl, ...options }), { http: FAST, now: RECORDED_AT });

  test('the public timeline yields its 8 statuses, newest first, mapped from HTML to text', async () => {
    server = await fixtureServer(cassette('test_public_tl.yaml'));
    const result = await source(server.url, {}).runFrom({ signal: signal(), checkpoint: null });
    const items = valid(result.items);
    expect(items).toHaveLength(8);
    expect(result.checkpoint).toEqual({ newestId: '117020593378945190' });
    expect(items[0]).toMatchObject({
      externalId: 'http://localhost:3000/ap/users/117020566092212359/statuses/117020593378945190', text: 'Toot, finally!',
      url: 'http://localhost:3000/@mastodonpy_test_2/117020593378945190', publishedAt: '2026-08-01T13:55:50.338Z',
      author: { handle: '@mastodonpy_test_2', followers: 0 }, engagement: { likes: 0, shares: 0, replies: 0 }, raw: { language: 'ja' },
    });
    expect(items[1]).toMatchObject({ text: 'you can\'t say that on television', author: { handle: '@admin', followers: 1 } });
    expect(items.map((i) => i.text)).toContain('on the internet, nobody knows you\'re a plane');
  });

  test('a later run keeps only statuses above its checkpoint, even when the server ignores min_id', async () => {
    server = await fixtureServer(cassette('test_public_tl_anonymous.yaml'));
    const result = await source(server.url, {}).runFrom({ signal: signal(), checkpoint: { newestId: '117020588169351887' } });
    expect(valid(result.items).map((i) => (i.raw as { id: string }).id)).toEqual(['117020593134559451', '117020592137523525', '117020590477318485', '117020588242324937']);
    expect(result.checkpoint).toEqual({ newestId: '117020593134559451' });
    expect(server.requests[0]!.path).toBe('/api/v1/timelines/public?limit=40&min_id=117020588169351887');
  });

  test('the hashtag timeline and an empty search', async () => {
    server = await fixtureServer({ ...cassette('test_hashtag_tl.yaml'), ...cassette('test_search.yaml') });
    const tag = valid((await source(server.url, { timeline: 'tag', tag: 'hoot' }).runFrom({ signal: signal(), checkpoint: null })).items);
    expect(tag).toHaveLength(1);
    expect(tag[0]).toMatchObject({ text: '#hoot (hashtag toot)', dimensions: { tags: 'hoot' }, publishedAt: '2026-08-01T13:55:55.867Z' });
    const search = await source(server.url, { timeline: 'search', query: 'mastodonpy_test' }).runFrom({ signal: signal(), checkpoint: null });
    expect(search.items).toEqual([]);
    expect(search.checkpoint).toEqual({ newestId: null });
  });

  test('statuses from an account timeline paged through the Link header map to valid items', () => {
    const doc = parseYaml(read('mastodon/test_fetch_next_previous.yaml')) as { interactions: Interaction[] };
    const pages = doc.interactions.filter((i) => i.request.method === 'GET' && i.request.uri.includes('/statuses?'));
    const statuses = pages.flatMap((p) => JSON.parse(p.response.body.string) as unknown[]).map((s) => MastodonStatus.parse(s));
    const items = valid(statuses.map((s) => statusToRawItem(s, { sourceId: 'm', channel: 'social', instance: 'localhost:3000' })));
    expect(pages).toHaveLength(3);
    expect(new Set(items.map((i) => i.externalId)).size).toBe(10);
  });
});

describe.skipIf(!present)('recorded Discourse answers', () => {
  test('latest topics and a topic\'s posts yield its regular posts as forum items', async () => {
    server = await fixtureServer({
      '/latest.json': firstThen('application/json', read('discourse/latest.json'), JSON.stringify({ topic_list: { topics: [] } }), (u) => u.searchParams.has('page')),
      '/categories.json': (_q, res) => send(res, 200, 'application/json', read('discourse/categories.json')),
      '/t/1.json': (_q, res) => send(res, 200, 'application/json', read('discourse/topic.json')),
    });
    const src = discourseSource(config('discourse', { baseUrl: server.url, lookback: '1000d' }), { http: FAST, now: () => new Date('2013-11-07T00:00:00Z') });
    const result = await src.runFrom({ signal: signal(), checkpoint: null });
    const items = valid(result.items);
    // The recording lists three topics under one id: one is read, the others reported.
    expect(result.warnings).toEqual(['topic 1 listed twice on one page; kept once', 'topic 1 listed twice on one page; kept once']);
    // Post 84 is a moderator action ("now pinned"), not a customer speaking.
    expect(items.map((i) => i.externalId)).toEqual(['83', '86', '226']);
    expect(items[0]).toMatchObject({
      url: `${server.url}/t/this-site-is-a-sandbox-it-is-reset-every-day/57/1`, threadId: '57', title: 'THIS SITE IS A SANDBOX -- it is reset every day',
      author: { id: '15', handle: 'samsaffron', name: 'Sam Saffron' }, publishedAt: '2013-02-04T20:26:26.278Z',
      engagement: { likes: 0, replies: 1 }, dimensions: { category: '13' },
    });
    expect(items[0]!.text).toMatch(/^Welcome!\n\nTry is a sandbox, a safe place to play with Discourse and its features\.\n\nThis site is reset every day/);
    expect(items[1]).toMatchObject({ author: { handle: 'stienman' }, engagement: { likes: 5, replies: 0 } });
    expect(items[2]).toMatchObject({ parentId: '83', raw: { replyToPostNumber: 1 } });
    expect(result.checkpoint).toMatchObject({ bumpedAfter: '2013-02-07T13:43:11.191-05:00', maxPostId: 226 });
  });

  test('a posts.json answer maps too', () => {
    const answer = DiscoursePostsAnswer.parse(json('discourse/topic_posts.json'));
    const post = DiscoursePost.parse(answer.post_stream.posts[0]);
    const item = postToRawItem(post, { sourceId: 'd', channel: 'forum', siteUrl: 'https://forum.example.com', topic: { id: 57, title: 'Sandbox', slug: null } });
    expect(valid([item])[0]).toMatchObject({ externalId: '123456', text: 'Some text.', url: 'https://forum.example.com/t/some-topic-slug/57/2', publishedAt: '2020-01-27T11:32:03.646Z' });
  });
});

describe.skipIf(!present)('recorded App Store review feeds', () => {
  const APP = '1404176564';
  const feedPath = (fmt: string) => `/jp/rss/customerreviews/page=1/id=${APP}/sortby=mostrecent/${fmt}`;
  const source = (baseUrl: string, format: string) => appStoreSource(config('appstore', { appId: APP, countries: ['jp'], format, baseUrl, maxPages: 1 }), { http: FAST });

  test('the XML feed yields 50 dated reviews with stars, version and author', async () => {
    server = await fixtureServer({ [feedPath('xml')]: (_q, res) => send(res, 200, 'text/xml; charset=UTF-8', read('appstore/DayBySay_Reviewer_fixture_0.xml')) });
    const result = await source(server.url, 'xml').runFrom({ signal: signal(), checkpoint: null });
    const items = valid(result.items);
    expect(items).toHaveLength(50);
    expect(result.warnings).toEqual([]);
    expect(items[0]).toMatchObject({
      externalId: '6310006838', title: '髪型追加してもらいたい', publishedAt: '2020-08-12T11:06:20.000Z',
      text: 'いろんな髪型追加して欲しい\n片方ツインテールとかさまざまな髪型追加してほしいです\nゲーム機能ついているのはいいと思う',
      author: { name: '単刀直入にさきいか', id: 'https://itunes.apple.com/jp/reviews/id945418104' },
      dimensions: { country: 'jp', rating: '5', version: '3.5.0' }, engagement: { likes: 0 },
    });
    // The text copy, not the HTML table Apple adds beside it.
    expect(items[49]).toMatchObject({ externalId: '6180524864', title: '開けない', text: '急に開けなくなったのですが･･･アプリを押してもホーム画面に戻されます･･･！早く直して欲しいです！', dimensions: { rating: '1' } });
    const stars = items.map((i) => i.dimensions!.rating);
    expect(stars.filter((s) => s === '1')).toHaveLength(15);
    expect(stars.filter((s) => s === '5')).toHaveLength(11);

    const later = await source(server.url, 'xml').runFrom({ signal: signal(), checkpoint: { countries: { jp: { newest: 6300000000, idsAtNewest: [] } } } });
    expect(later.items).toHaveLength(10);
  });

  test('the JSON feed yields 50 reviews dated by the feed', async () => {
    server = await fixtureServer({ [feedPath('json')]: (_q, res) => send(res, 200, 'application/json', read('appstore/DayBySay_Reviewer_fixture_1.json')) });
    const items = valid((await source(server.url, 'json').runFrom({ signal: signal(), checkpoint: null })).items);
    expect(items).toHaveLength(50);
    expect(items[0]).toMatchObject({ externalId: '6290024630', title: '神アプリ', author: { name: 'ヤミ。' }, dimensions: { rating: '4', version: '3.4.3' }, publishedAt: '2020-08-08T03:17:03.000Z', raw: { dated: false } });
    expect(items.filter((i) => i.dimensions!.rating === '3')).toHaveLength(15);
  });
});

describe.skipIf(!present)('CFPB complaint records in the database format', () => {
  const records = () => readFileSync(CCDB, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);

  test('each record maps; the one narrative becomes text, the rest carry their issue', () => {
    const items = valid(records().map((r) => complaintToRawItem(CfpbComplaint.parse(r), { sourceId: 'c', channel: 'regulator', withoutNarrative: 'issue' })!));
    expect(items).toHaveLength(10);
    const told = items.filter((i) => i.dimensions!.has_narrative === 'yes');
    expect(told.map((i) => i.externalId)).toEqual(['3370025']);
    expect(told[0]).toMatchObject({ title: 'Incorrect information on your report', dimensions: { company: 'Experian Information Solutions Inc.', sub_issue: 'Account status incorrect', company_response: 'Closed with non-monetary relief' } });
    expect(told[0]!.text).toMatch(/^I have inaccurate information on my credit report/);
    // No receipt date: the date it was sent to the company stands in.
    expect(items.find((i) => i.externalId === '3369295')).toMatchObject({ publishedAt: '2019-09-10T17:00:00.000Z', text: 'Problem when making payments: Problem during payment process' });
  });

  test('served in the search API\'s shape, the records go through the connector', async () => {
    const hits = records().map((r) => ({ _index: 'complaint-public', _id: r.complaint_id, _source: r }));
    server = await fixtureServer({ '/api/v1/': (_q, res) => send(res, 200, 'application/json', JSON.stringify({ hits: { total: { value: hits.length }, hits } })) });
    const now = new Date('2019-09-20T00:00:00Z');
    const result = await cfpbSource(config('cfpb', { company: 'PNC Bank N.A.', baseUrl: `${server.url}/api/v1/` }), { http: FAST, now: () => now }).runFrom({ signal: signal(), checkpoint: null });
    expect(valid(result.items)).toHaveLength(10);
    // Receipt dates in 2099 are in the records; they must not carry the checkpoint into the future.
    expect(result.checkpoint).toMatchObject({ newest: now.toISOString() });
  });
});

// Outside CI a developer may not have ../shared: say so. In CI its absence is a failure.
if (!present && process.env.CI === 'true') {
  test('the recorded connector fixtures are present in CI', () => {
    expect.fail(`${SHARED} is missing the recorded connector fixtures; CI must run with ../shared beside the repository`);
  });
}
