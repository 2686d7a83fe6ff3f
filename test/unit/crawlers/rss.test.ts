import { afterEach, describe, expect, test } from 'vitest';
import { MemoryCheckpointStore, runWithCheckpoint } from '../../../crawlers/checkpoint.ts';
import type { FetchOptions } from '../../../crawlers/http.ts';
import { decodeFeed, parseFeed, parseFeedDate } from '../../../crawlers/rss/feed.ts';
import { rssSource } from '../../../crawlers/rss/source.ts';
import { AllearsError, ConfigError, TransientError } from '../../../model/errors.ts';
import { RawItem, type RawItemInput } from '../../../model/index.ts';
import { SourceConfig } from '../../../config/schema.ts';
import { fixtureServer, send, type FixtureServer } from '../../helpers/fixture-server.ts';

const FAST: FetchOptions = { retries: 2, backoffMs: 5, maxRetryWaitMs: 20, timeoutMs: 2_000 };
const NOW = () => new Date('2025-03-05T00:00:00Z');

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function source(url: string, options: Record<string, unknown> = {}) {
  return rssSource(SourceConfig.parse({ id: 'shop-news', kind: 'rss', options: { url, ...options } }), { http: FAST, now: NOW });
}

function expectValid(items: unknown[]): RawItemInput[] {
  for (const item of items) {
    const parsed = RawItem.safeParse(item);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  }
  return items as RawItemInput[];
}

const rssItem = (guid: string, date: string, title: string, extra = '') => `
    <item>
      <title>${title}</title>
      <link>https://shop.example.com/news/${guid}</link>
      <guid isPermaLink="false">${guid}</guid>
      <pubDate>${date}</pubDate>
      <dc:creator>Li Wei</dc:creator>
      ${extra}
    </item>`;

/** An RSS 2.0 feed as shops and news sites publish it: CDATA, entities, content:encoded, Dublin Core. */
const rss = (items: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>Shop &amp; Co. customer news</title>
    <link>https://shop.example.com/</link>
    <lastBuildDate>Tue, 04 Mar 2025 09:00:00 GMT</lastBuildDate>
    ${items.join('\n')}
  </channel>
</rss>`;

const FIRST = [
  rssItem('n-3', 'Mon, 03 Mar 2025 10:00:00 +0000', 'Delivery delays &amp; refunds',
    '<description><![CDATA[<p>Parcels are <b>late</b> again & nobody answers.</p>]]></description>'),
  rssItem('n-2', 'Sun, 02 Mar 2025 10:00:00 +0000', '快递又延误了',
    '<content:encoded><![CDATA[<p>等了一个星期，客服没有回复。</p>]]></content:encoded><description>short</description>'),
  // The same guid twice in one feed: one item.
  rssItem('n-2', 'Sun, 02 Mar 2025 10:00:00 +0000', '快递又延误了', '<description>duplicate</description>'),
  rssItem('n-1', 'Sat, 01 Mar 2025 10:00:00 +0000', 'Store opening &#8220;hours&#8221; changed', '<description>Opening hours &lt;b&gt;changed&lt;/b&gt;</description>'),
];
const SECOND = [
  rssItem('n-5', 'Tue, 04 Mar 2025 08:00:00 +0000', 'App crashes at checkout', '<description>It crashes every time.</description>'),
  // Same second as n-3 (the newest of the first run) but a new id: new.
  rssItem('n-4', 'Mon, 03 Mar 2025 10:00:00 +0000', 'Coupon not applied', '<description>The coupon code failed.</description>'),
  ...FIRST,
];

describe('rss connector', () => {
  test('should read an RSS 2.0 feed: ids, links, CDATA, entities, authors, dates', async () => {
    server = await fixtureServer({ '/feed.xml': (_q, res) => send(res, 200, 'application/rss+xml; charset=utf-8', rss(FIRST)) });
    const { items, checkpoint } = await source(`${server.url}/feed.xml`).runFrom({ signal: new AbortController().signal, checkpoint: null });
    expectValid(items);
    const byId = new Map(items.map((i) => [(i as RawItemInput).externalId, i as RawItemInput]));
    expect([...byId.keys()]).toEqual(['n-3', 'n-2', 'n-1']);
    const n3 = byId.get('n-3')!;
    expect(n3).toMatchObject({
      source: { id: 'shop-news', kind: 'rss', name: 'Shop & Co. customer news' },
      channel: 'news',
      url: 'https://shop.example.com/news/n-3',
      title: 'Delivery delays & refunds',
      text: '<p>Parcels are <b>late</b> again & nobody answers.</p>',
      author: { name: 'Li Wei' },
      publishedAt: '2025-03-03T10:00:00.000Z',
    });
    expect(byId.get('n-2')!.text).toBe('<p>等了一个星期，客服没有回复。</p>');
    expect(byId.get('n-1')!.title).toBe('Store opening “hours” changed');
    expect(byId.get('n-1')!.text).toBe('Opening hours <b>changed</b>');
    expect(checkpoint).toEqual({ newest: '2025-03-03T10:00:00.000Z', idsAtNewest: ['n-3'], undated: [] });
  });

  test('should yield only new items on the second run, including new ones in the newest second', async () => {
    server = await fixtureServer({ '/feed.xml': (_q, res, hit) => send(res, 200, 'text/xml', rss(hit === 1 ? FIRST : SECOND)) });
    const store = new MemoryCheckpointStore();
    const src = source(`${server.url}/feed.xml`);
    const signal = new AbortController().signal;
    const runs: string[][] = [];
    for (let i = 0; i < 3; i++) {
      await runWithCheckpoint(src, store, signal, async (items) => runs.push(expectValid(items).map((x) => x.externalId)));
    }
    expect(runs).toEqual([['n-3', 'n-2', 'n-1'], ['n-5', 'n-4'], []]);
    expect(await store.get('shop-news')).toEqual({ newest: '2025-03-04T08:00:00.000Z', idsAtNewest: ['n-5'], undated: [] });
  });

  test('should not move the checkpoint when the items could not be accepted', async () => {
    server = await fixtureServer({ '/feed.xml': (_q, res) => send(res, 200, 'application/rss+xml', rss(FIRST)) });
    const store = new MemoryCheckpointStore();
    const src = source(`${server.url}/feed.xml`);
    await expect(runWithCheckpoint(src, store, new AbortController().signal, async () => { throw new TransientError('queue full'); })).rejects.toThrow('queue full');
    expect(await store.get('shop-news')).toBeNull();
  });

  test('should read Atom: alternate links resolved against the feed, content over summary, author names', async () => {
    const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Status of the shop app</title>
  <updated>2025-03-04T12:00:00Z</updated>
  <entry>
    <title type="html">Login &lt;em&gt;fails&lt;/em&gt;</title>
    <id>tag:status.example.com,2025:incident-7</id>
    <link rel="self" href="https://status.example.com/api/7"/>
    <link rel="alternate" type="text/html" href="/incidents/7"/>
    <published>2025-03-04T11:00:00+08:00</published>
    <updated>2025-03-04T12:00:00+08:00</updated>
    <author><name>Ops Team</name><uri>https://status.example.com/team</uri></author>
    <summary>Short</summary>
    <content type="html"><![CDATA[<p>Users cannot log in since the update.</p>]]></content>
  </entry>
  <entry>
    <title>Undated notice</title>
    <id>tag:status.example.com,2025:notice-1</id>
    <link href="https://status.example.com/notices/1"/>
    <summary>Maintenance window on Sunday</summary>
  </entry>
</feed>`;
    server = await fixtureServer({ '/atom': (_q, res) => send(res, 200, 'application/atom+xml', atom) });
    const src = source(`${server.url}/atom`, { channel: 'forum' });
    const first = await src.runFrom({ signal: new AbortController().signal, checkpoint: null });
    const items = expectValid(first.items);
    expect(items[0]).toMatchObject({
      externalId: 'tag:status.example.com,2025:incident-7',
      channel: 'forum',
      url: `${server.url}/incidents/7`,
      title: 'Login <em>fails</em>',
      text: '<p>Users cannot log in since the update.</p>',
      author: { name: 'Ops Team', id: 'https://status.example.com/team' },
      publishedAt: '2025-03-04T03:00:00.000Z',
    });
    // An entry without a date takes the feed's date, and is remembered by id so it is not yielded again.
    expect(items[1]).toMatchObject({ externalId: 'tag:status.example.com,2025:notice-1', publishedAt: '2025-03-04T12:00:00.000Z' });
    const second = await src.runFrom({ signal: new AbortController().signal, checkpoint: first.checkpoint });
    expect(second.items).toEqual([]);
  });

  test('should decode a feed in its declared encoding', async () => {
    const latin1 = Buffer.from(rss([rssItem('pt-1', 'Mon, 03 Mar 2025 10:00:00 GMT', 'Não recebi a encomenda', '<description>Atenção: serviço péssimo</description>')])
      .replace('UTF-8', 'ISO-8859-1'), 'latin1');
    server = await fixtureServer({ '/pt': (_q, res) => send(res, 200, 'application/rss+xml', latin1) });
    const { items } = await source(`${server.url}/pt`).runFrom({ signal: new AbortController().signal, checkpoint: null });
    expect(expectValid(items)[0]).toMatchObject({ title: 'Não recebi a encomenda', text: 'Atenção: serviço péssimo' });
  });

  test('should fail clearly on XML broken before any item, naming the line', async () => {
    const broken = '<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<title>x</title>\n<item>\n<title>cut off';
    server = await fixtureServer({ '/broken': (_q, res) => send(res, 200, 'application/rss+xml', broken) });
    const err = await source(`${server.url}/broken`).runFrom({ signal: new AbortController().signal, checkpoint: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AllearsError);
    expect((err as AllearsError).code).toBe('feed_invalid');
    expect((err as AllearsError).message).toMatch(/broken XML at line 6: document ends before <\/title>/);
  });

  test('should keep the items read before the XML breaks, and keep the old checkpoint', async () => {
    const cut = rss(SECOND).slice(0, rss(SECOND).indexOf('<guid isPermaLink="false">n-2</guid>'));
    server = await fixtureServer({ '/cut': (_q, res) => send(res, 200, 'application/rss+xml', cut) });
    const previous = { newest: '2025-03-01T10:00:00.000Z', idsAtNewest: ['n-1'], undated: [] };
    const result = await source(`${server.url}/cut`).runFrom({ signal: new AbortController().signal, checkpoint: previous });
    expect(expectValid(result.items).map((i) => i.externalId)).toEqual(['n-5', 'n-4', 'n-3']);
    expect(result.checkpoint).toEqual(previous);
    expect(result.warnings?.join('\n')).toMatch(/broken XML at line \d+.*kept the 3 items/);

    const store = new MemoryCheckpointStore();
    const told: string[] = [];
    await runWithCheckpoint(source(`${server.url}/cut`), store, new AbortController().signal, async () => 0, (w) => told.push(...w));
    expect(told.join('\n')).toMatch(/broken XML/);
    expect(await store.get('shop-news')).toBeNull();
  });

  test('should refuse an HTML page where a feed was expected', async () => {
    server = await fixtureServer({ '/html': (_q, res) => send(res, 200, 'text/html', '<!doctype html><html><body>Log in</body></html>') });
    const err = await source(`${server.url}/html`).runFrom({ signal: new AbortController().signal, checkpoint: null }).catch((e: unknown) => e);
    expect((err as AllearsError).code).toBe('http_content_type');
    expect((err as AllearsError).message).toContain(`${server.url}/html`);
  });

  test('should refuse XML that is not a feed', async () => {
    server = await fixtureServer({ '/x': (_q, res) => send(res, 200, 'application/xml', '<?xml version="1.0"?><sitemap><loc>a</loc></sitemap>') });
    const err = await source(`${server.url}/x`).runFrom({ signal: new AbortController().signal, checkpoint: null }).catch((e: unknown) => e);
    expect((err as AllearsError).code).toBe('feed_invalid');
  });

  test('should retry a busy feed and start over when the checkpoint is unreadable', async () => {
    server = await fixtureServer({
      '/feed.xml': (_q, res, hit) => (hit === 1 ? send(res, 429, 'text/plain', 'busy', { 'retry-after': '0' }) : send(res, 200, 'application/rss+xml', rss(FIRST))),
    });
    const result = await source(`${server.url}/feed.xml`).runFrom({ signal: new AbortController().signal, checkpoint: { something: 'else' } });
    expect(result.items).toHaveLength(3);
    expect(result.warnings).toContain('checkpoint unreadable; starting from the whole feed');
  });

  test('should reject options without a usable URL, naming the field', () => {
    expect(() => rssSource(SourceConfig.parse({ id: 'bad', kind: 'rss', options: { url: 'ftp://x' } }))).toThrow(ConfigError);
    try {
      rssSource(SourceConfig.parse({ id: 'bad', kind: 'rss', options: {} }));
    } catch (err) {
      expect((err as ConfigError).details[0]!.path).toBe('sources.bad.options.url');
    }
  });
});

describe('feed parsing', () => {
  test('should read the dates feeds write', () => {
    expect(parseFeedDate('Wed, 03 Jan 2018 13:47:00 GMT')).toBe('2018-01-03T13:47:00.000Z');
    expect(parseFeedDate('2016-02-01T17:22:00+01:00')).toBe('2016-02-01T16:22:00.000Z');
    expect(parseFeedDate('Seg, 24 Set 2018 19:42:40 -0300')).toBe('2018-09-24T22:42:40.000Z');
    expect(parseFeedDate('Tue, 4 Mar 2025 08:00 EST')).toBe('2025-03-04T13:00:00.000Z');
    expect(parseFeedDate('03 Apr 02 1500 GMT')).toBe('2002-04-03T15:00:00.000Z');
    expect(parseFeedDate('2017-06-15')).toBe('2017-06-15T00:00:00.000Z');
    expect(parseFeedDate('2017-06-15T10:29:47')).toBe('2017-06-15T10:29:47.000Z');
    expect(parseFeedDate('not a date 2019')).toBeUndefined();
    expect(parseFeedDate('31 Foo 2019 10:00 GMT')).toBeUndefined();
  });

  test('should keep HTML embedded without escaping as written', () => {
    const feed = parseFeed(rss([rssItem('h-1', 'Mon, 03 Mar 2025 10:00:00 GMT', 'Raw', '<description><p>One<br>two</p><img src="x.png"/></description>')]));
    expect(feed.entries[0]!.text).toBe('<p>One<br>two</p><img src="x.png"/>');
    expect(feed.problems.filter((p) => p.fatal)).toEqual([]);
  });

  test('should fall back to Windows-1252 for undeclared non-UTF-8 bytes', () => {
    expect(decodeFeed(Buffer.from('<rss><channel><title>Notícias</title></channel></rss>', 'latin1'))).toContain('Notícias');
  });
});
