import { afterEach, describe, expect, test } from 'vitest';
import { MemoryCheckpointStore, runWithCheckpoint } from '../../../crawlers/checkpoint.ts';
import { htmlToPlainText } from '../../../crawlers/html-text.ts';
import { mastodonSource, parseLinkHeader } from '../../../crawlers/mastodon/source.ts';
import { SourceConfig } from '../../../config/schema.ts';
import { AllearsError, ConfigError, TransientError } from '../../../model/errors.ts';
import type { RawItemInput } from '../../../model/index.ts';
import { status, timeline, type Status } from '../../fixtures/connectors/mastodon.ts';
import { fixtureServer, send, type FixtureServer } from '../../helpers/fixture-server.ts';
import { FAST, signal, valid } from '../../helpers/connector.ts';

const NOW = new Date('2025-03-05T00:00:00Z');
const at = (minutes: number) => new Date(NOW.getTime() - 86_400_000 + minutes * 60_000).toISOString();
const uri = (id: string, user = 'ana') => `https://social.example/users/${user}/statuses/${id}`;

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function source(baseUrl: string, options: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) {
  return mastodonSource(SourceConfig.parse({ id: 'masto', kind: 'mastodon', options: { baseUrl, ...options } }), { http: FAST, now: () => NOW, env });
}

const statusIds = (items: unknown[]) => valid(items).map((i) => (i.raw as { id: string }).id);

describe('mastodon connector', () => {
  test('should read the public timeline back through max_id and map statuses to social items', async () => {
    const data: Status[] = [
      status('1001', at(1), '<p>Acme support closed my ticket<br />without an answer.</p><p>Again. <a href="https://social.example/tags/acme" class="mention hashtag">#<span>acme</span></a></p>', {
        tags: [{ name: 'acme', url: 'https://social.example/tags/acme' }], spoiler_text: 'customer service rant', in_reply_to_id: '990',
      }),
      status('1002', at(2), '<p>Loving the new app &amp; the widget</p>', { user: 'bo' }),
      status('1003', at(3), '<p>Third</p>'),
      status('900', at(-10 * 1440), '<p>Older than the look-back</p>'),
    ];
    server = await fixtureServer({ '/api/v1/timelines/public': timeline(() => data) });
    const result = await source(server.url, { limit: 2 }).runFrom({ signal: signal(), checkpoint: null });
    expect(statusIds(result.items)).toEqual(['1003', '1002', '1001']);
    expect(server.requests.map((r) => r.path)).toEqual(['/api/v1/timelines/public?limit=2', '/api/v1/timelines/public?limit=2&max_id=1002']);
    expect(result.checkpoint).toEqual({ newestId: '1003' });
    expect(result.warnings).toEqual([]);
    const first = (result.items as RawItemInput[])[2]!;
    expect(first).toMatchObject({
      source: { id: 'masto', kind: 'mastodon', name: server.url.replace('http://', '') }, channel: 'social', externalId: uri('1001'),
      url: 'https://social.example/@ana/1001', parentId: '990', title: 'customer service rant',
      text: 'Acme support closed my ticket\nwithout an answer.\n\nAgain. #acme', publishedAt: at(1),
      author: { id: 'https://social.example/users/ana', handle: '@ana@social.example', name: 'ANA', followers: 1500 },
      engagement: { likes: 3, shares: 2, replies: 1 }, dimensions: { tags: 'acme' }, raw: { language: 'en', visibility: 'public' },
    });
    expect((result.items as RawItemInput[])[1]!.text).toBe('Loving the new app & the widget');
  });

  test('should page forward with min_id on later runs and yield only new statuses', async () => {
    const data = [status('2001', at(1), '<p>a</p>'), status('2002', at(2), '<p>b</p>')];
    server = await fixtureServer({ '/api/v1/timelines/tag/acme': timeline(() => data) });
    const store = new MemoryCheckpointStore();
    const src = source(server.url, { timeline: 'tag', tag: 'acme', limit: 2 });
    const runs: string[][] = [];
    const run = () => runWithCheckpoint(src, store, signal(), async (items) => runs.push(statusIds(items)));
    await run();
    data.push(status('2003', at(3), '<p>c</p>'), status('2004', at(4), '<p>d</p>'), status('2005', at(5), '<p>e</p>'));
    await run();
    await run();
    expect(runs).toEqual([['2002', '2001'], ['2004', '2003', '2005'], []]);
    expect(server.requests.map((r) => r.path)).toEqual([
      '/api/v1/timelines/tag/acme?limit=2',
      '/api/v1/timelines/tag/acme?limit=2&max_id=2001',
      '/api/v1/timelines/tag/acme?limit=2&min_id=2002',
      // A short page is the top of the timeline.
      '/api/v1/timelines/tag/acme?limit=2&min_id=2004',
      '/api/v1/timelines/tag/acme?limit=2&min_id=2005',
    ]);
  });

  test('should leave newer statuses beyond the page budget for the next run without losing any', async () => {
    const data = [status('3001', at(1), '<p>a</p>')];
    server = await fixtureServer({ '/api/v1/timelines/public': timeline(() => data) });
    const src = source(server.url, { limit: 1, maxPages: 2 });
    const first = await src.runFrom({ signal: signal(), checkpoint: null });
    for (let i = 2; i <= 6; i++) data.push(status(`300${i}`, at(i), `<p>${i}</p>`));
    const second = await src.runFrom({ signal: signal(), checkpoint: first.checkpoint });
    expect(second.warnings?.join()).toMatch(/page budget \(2\) spent; newer statuses wait/);
    const third = await src.runFrom({ signal: signal(), checkpoint: second.checkpoint });
    const fourth = await src.runFrom({ signal: signal(), checkpoint: third.checkpoint });
    expect([...statusIds(second.items), ...statusIds(third.items), ...statusIds(fourth.items)]).toEqual(['3002', '3003', '3004', '3005', '3006']);
  });

  test('should search statuses with an access token from the named environment variable', async () => {
    const data = [status('4001', at(1), '<p>acme refund please</p>')];
    server = await fixtureServer({ '/api/v2/search': timeline(() => data, (statuses) => ({ accounts: [], statuses, hashtags: [] })) });
    const result = await source(server.url, { timeline: 'search', query: 'acme refund', accessTokenEnv: 'MASTO_TOKEN' }, { MASTO_TOKEN: 'secret-token' })
      .runFrom({ signal: signal(), checkpoint: null });
    expect(statusIds(result.items)).toEqual(['4001']);
    expect(server.requests[0]!.path).toBe('/api/v2/search?limit=40&q=acme+refund&type=statuses&resolve=false');
    expect(server.requests[0]!.headers.authorization).toBe('Bearer secret-token');
    expect(JSON.stringify(result)).not.toContain('secret-token');
    expect(() => source(server!.url, { accessTokenEnv: 'MASTO_TOKEN' }, {})).toThrow(ConfigError);
  });

  test('should wait out a 429 with Retry-After, and keep earlier pages when a later one breaks', async () => {
    const data = [1, 2, 3, 4].map((i) => status(`500${i}`, at(i), `<p>${i}</p>`));
    const tl = timeline(() => data);
    server = await fixtureServer({
      '/api/v1/timelines/public': (req, res, hit, url) => {
        if (hit === 1) return send(res, 429, 'application/json', '{"error":"Too many requests"}', { 'retry-after': '1' });
        if (url.searchParams.get('min_id') === '5002') return send(res, 200, 'application/json', '[{"id":"5003","created_at":"2025');
        return tl(req, res, hit, url);
      },
    });
    const first = await source(server.url, { limit: 2, maxPages: 1 }).runFrom({ signal: signal(), checkpoint: { newestId: '5000' } });
    expect(statusIds(first.items)).toEqual(['5002', '5001']);
    const broken = await source(server.url, { limit: 2 }).runFrom({ signal: signal(), checkpoint: { newestId: '5000' } });
    expect(statusIds(broken.items)).toEqual(['5002', '5001']);
    expect(broken.warnings?.join()).toMatch(/stopped early, keeping the 2 statuses read before: .*does not parse/);
    // Resumes after what it kept.
    expect(broken.checkpoint).toEqual({ newestId: '5002' });
  });

  test('should fail cleanly on HTML, 5xx and foreign JSON when nothing was read, and keep one status per id', async () => {
    server = await fixtureServer({
      '/html/api/v1/timelines/public': (_q, res) => send(res, 200, 'text/html', '<html>maintenance</html>'),
      '/down/api/v1/timelines/public': (_q, res) => send(res, 500, 'application/json', '{"error":"oops"}'),
      '/other/api/v1/timelines/public': (_q, res) => send(res, 200, 'application/json', '{"error":"This API requires an authenticated user"}'),
      '/dup/api/v1/timelines/public': (_q, res) => send(res, 200, 'application/json', JSON.stringify([
        status('6002', at(2), '<p>x</p>'), status('6002', at(2), '<p>x</p>'), { id: '6001', content: 'no date' },
      ])),
    });
    const html = await source(`${server.url}/html`).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect((html as AllearsError).code).toBe('http_content_type');
    const down = await source(`${server.url}/down`).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(TransientError);
    const other = await source(`${server.url}/other`).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect((other as AllearsError).code).toBe('mastodon_bad_answer');
    const dup = await source(`${server.url}/dup`).runFrom({ signal: signal(), checkpoint: null });
    expect(statusIds(dup.items)).toEqual(['6002']);
    expect(dup.warnings).toHaveLength(2);
    expect(dup.warnings!.join('\n')).toMatch(/status 6002 listed twice/);
    expect(dup.warnings!.join('\n')).toMatch(/created_at/);
  });

  test('should stand a boost for the boosted status', async () => {
    const original = status('7001', at(1), '<p>original words</p>', { user: 'cy' });
    const boost = status('7002', at(2), '', { reblog: original, user: 'dee' });
    server = await fixtureServer({ '/api/v1/timelines/public': timeline(() => [original, boost]) });
    const result = await source(server.url).runFrom({ signal: signal(), checkpoint: null });
    expect(valid(result.items)).toHaveLength(1);
    expect(result.items[0]).toMatchObject({ externalId: uri('7001', 'cy'), text: 'original words', author: { handle: '@cy@social.example' }, raw: { boostedBy: 'dee@social.example' } });
    expect(result.checkpoint).toEqual({ newestId: '7002' });
  });

  test('html and Link helpers', () => {
    expect(htmlToPlainText('<p>one<br>two</p><p>three &lt;3</p><ul><li>a</li><li>b</li></ul>')).toBe('one\ntwo\n\nthree <3\n\na\nb');
    const links = parseLinkHeader('<https://m.example/api/v1/timelines/public?max_id=10>; rel="next", <https://m.example/api/v1/timelines/public?min_id=20>; rel="prev"');
    expect(links.next?.searchParams.get('max_id')).toBe('10');
    expect(links.prev?.searchParams.get('min_id')).toBe('20');
    expect(parseLinkHeader(null)).toEqual({});
  });
});
