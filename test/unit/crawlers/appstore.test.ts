import { afterEach, describe, expect, test } from 'vitest';
import { feedUrl, appStoreSource } from '../../../crawlers/appstore/source.ts';
import { MemoryCheckpointStore, runWithCheckpoint } from '../../../crawlers/checkpoint.ts';
import { SourceConfig } from '../../../config/schema.ts';
import { AllearsError, ConfigError, TransientError } from '../../../model/errors.ts';
import type { RawItemInput } from '../../../model/index.ts';
import { jsonFeed, review, storefront, xmlFeed, type FakeReview } from '../../fixtures/connectors/appstore.ts';
import { fixtureServer, send, type FixtureServer } from '../../helpers/fixture-server.ts';
import { FAST, ids, signal, valid } from '../../helpers/connector.ts';

const NOW = new Date('2025-03-05T00:00:00Z');
const APP = '1404176564';
const day = (d: number) => `2025-02-${String(d).padStart(2, '0')}T10:00:00-07:00`;
const path = (cc: string, page: number, fmt = 'json') => `/${cc}/rss/customerreviews/page=${page}/id=${APP}/sortby=mostrecent/${fmt}`;

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function source(baseUrl: string, options: Record<string, unknown> = {}) {
  return appStoreSource(SourceConfig.parse({ id: 'acme-ios', kind: 'appstore', options: { appId: APP, baseUrl, ...options } }), { http: FAST, now: () => NOW });
}

describe('appstore connector', () => {
  test('should read the JSON feed page by page per country and map reviews with rating, version and country', async () => {
    const data: Record<string, FakeReview[]> = {
      us: [review(103, day(3), 'Crashes on login', 1, { version: '3.5.1' }), review(102, day(2), 'Great app', 5), review(101, day(1), 'OK', 3)],
      jp: [review(201, day(4), '髪型追加してもらいたい', 5, { content: 'いろんな髪型追加して欲しい\nゲーム機能ついているのはいいと思う' })],
    };
    server = await fixtureServer(storefront(APP, () => data, 2));
    const result = await source(server.url, { countries: ['us', 'JP'] }).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['103', '102', '101', '201']);
    expect(result.warnings).toEqual([]);
    expect(server.requests.map((r) => r.path)).toEqual([path('us', 1), path('us', 2), path('jp', 1)]);
    const [crash, , , jp] = result.items as RawItemInput[];
    expect(crash).toMatchObject({
      source: { id: 'acme-ios', kind: 'appstore' }, channel: 'review', externalId: '103', title: 'Crashes on login',
      text: 'Crashes on login: the details', url: `https://itunes.apple.com/us/review?id=${APP}&type=Purple%20Software`,
      author: { id: 'https://itunes.apple.com/us/reviews/id9103', name: 'reviewer 103' }, engagement: { likes: 2 },
      // The JSON feed does not date reviews: the feed's own date stands in, and raw says so.
      publishedAt: '2025-03-05T03:17:03.000Z', dimensions: { country: 'us', app: APP, rating: '1', version: '3.5.1' }, raw: { rating: 1, dated: false },
    });
    expect(jp).toMatchObject({ text: 'いろんな髪型追加して欲しい\nゲーム機能ついているのはいいと思う', dimensions: { country: 'jp', rating: '5' } });
    expect(result.checkpoint).toEqual({ countries: { us: { newest: 103, idsAtNewest: ['103'] }, jp: { newest: 201, idsAtNewest: ['201'] } } });
  });

  test('should read the XML feed with each review\'s own date, ignoring the HTML copy of its text', async () => {
    const data = { us: [review(102, day(2), 'Fine & dandy <3', 4), review(101, day(1), 'Meh', 2)] };
    server = await fixtureServer(storefront(APP, () => data));
    const result = await source(server.url, { format: 'xml' }).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['102', '101']);
    expect(result.items[0]).toMatchObject({
      title: 'Fine & dandy <3', text: 'Fine & dandy <3: the details', publishedAt: '2025-02-02T17:00:00.000Z',
      dimensions: { rating: '4', version: '3.5.0', country: 'us' }, raw: { dated: true, votes: 3 },
    });
    expect(server.requests.map((r) => r.path)).toEqual([path('us', 1, 'xml')]);
  });

  test('should yield only new reviews next time, and not stop at an edited old review on top', async () => {
    const us = [review(101, day(1), 'a'), review(102, day(2), 'b'), review(103, day(3), 'c')];
    server = await fixtureServer(storefront(APP, () => ({ us }), 2));
    const store = new MemoryCheckpointStore();
    const src = source(server.url);
    const runs: string[][] = [];
    const run = () => runWithCheckpoint(src, store, signal(), async (items) => runs.push(ids(items)));
    await run();
    // 101 is edited (now the most recently updated); 104 and 105 are new but land on page 2 after it.
    us[0] = review(101, day(9), 'a, edited');
    us.push(review(104, day(5), 'd'), review(105, day(4), 'e'));
    await run();
    await run();
    expect(runs).toEqual([['103', '102', '101'], ['104', '105'], []]);
  });

  test('should wait out a 429, and keep one storefront\'s reviews when another fails', async () => {
    const data = { us: [review(101, day(1), 'a')], gb: [review(301, day(1), 'b')] };
    const routes = storefront(APP, () => data);
    server = await fixtureServer({
      ...routes,
      [path('us', 1)]: (req, res, hit, url) => (hit === 1 ? send(res, 429, 'text/plain', 'slow down', { 'retry-after': '1' }) : routes[path('us', 1)]!(req, res, hit, url)),
      [path('gb', 1)]: (_q, res) => send(res, 503, 'text/html', '<h1>Service Unavailable</h1>'),
    });
    const result = await source(server.url, { countries: ['us', 'gb'] }).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['101']);
    expect(result.warnings?.join()).toMatch(/gb: stopped early: GET .* 503/);
    expect(result.checkpoint).toEqual({ countries: { us: { newest: 101, idsAtNewest: ['101'] } } });
    const allDown = await source(server.url, { countries: ['gb'] }).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect(allDown).toBeInstanceOf(TransientError);
  });

  test('should keep what was read before a truncated page or a broken XML document, and leave the fence', async () => {
    const us = [review(101, day(1), 'a'), review(102, day(2), 'b'), review(103, day(3), 'c')];
    const routes = storefront(APP, () => ({ us }), 2);
    server = await fixtureServer({
      ...routes,
      [path('us', 2)]: (_q, res) => send(res, 200, 'application/json', '{"feed":{"entry":[{"id":{"label":"10'),
      [path('us', 1, 'xml')]: (_q, res) => send(res, 200, 'text/xml', xmlFeed([us[2]!, us[1]!], 'us', APP, 1).replace(/<\/entry>\s*<entry>[\s\S]*$/, '</entry>\n<entry><id>101</id><title>cut')),
    });
    const before = { countries: { us: { newest: 100, idsAtNewest: ['100'] } } };
    const json = await source(server.url).runFrom({ signal: signal(), checkpoint: before });
    expect(ids(json.items)).toEqual(['103', '102']);
    expect(json.warnings?.join()).toMatch(/us: stopped early: .*does not parse/);
    expect(json.checkpoint).toEqual(before);
    const xml = await source(server.url, { format: 'xml' }).runFrom({ signal: signal(), checkpoint: before });
    expect(ids(xml.items)).toEqual(['103']);
    expect(xml.warnings?.join()).toMatch(/broken XML at line \d+/);
    expect(xml.checkpoint).toEqual(before);
  });

  test('should warn about a review listed twice and answers that are not review feeds', async () => {
    const twice = [review(101, day(1), 'a'), review(101, day(1), 'a')];
    server = await fixtureServer({
      [path('us', 1)]: (_q, res) => send(res, 200, 'application/json', jsonFeed(twice, 'us', APP, 1)),
      [path('gb', 1)]: (_q, res) => send(res, 200, 'text/html', '<html>Not Found</html>'),
      [path('fr', 1)]: (_q, res) => send(res, 200, 'application/json', '{"errors":[]}'),
    });
    const result = await source(server.url).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['101']);
    expect(result.warnings).toEqual(['us: review 101 listed twice; kept once']);
    const html = await source(server.url, { countries: ['gb'] }).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect((html as AllearsError).code).toBe('http_content_type');
    const other = await source(server.url, { countries: ['fr'] }).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect((other as AllearsError).code).toBe('appstore_bad_answer');
  });

  test('should build Apple\'s feed URLs and reject options it cannot use', () => {
    expect(feedUrl('https://itunes.apple.com', { appId: APP, format: 'xml' }, 'jp', 3)).toBe(`https://itunes.apple.com/jp/rss/customerreviews/page=3/id=${APP}/sortby=mostrecent/xml`);
    expect(() => source('http://127.0.0.1:1', { appId: 'acme' })).toThrow(ConfigError);
    const err = (() => { try { source('http://127.0.0.1:1', { countries: ['usa'] }); } catch (e) { return e as ConfigError; } })();
    expect(err?.details.map((d) => d.path)).toEqual(['sources.acme-ios.options.countries[0]']);
  });
});
