import { afterEach, describe, expect, test } from 'vitest';
import { MemoryCheckpointStore, runWithCheckpoint } from '../../../crawlers/checkpoint.ts';
import { discourseSource } from '../../../crawlers/discourse/source.ts';
import { SourceConfig } from '../../../config/schema.ts';
import { AllearsError, ConfigError, TransientError } from '../../../model/errors.ts';
import type { RawItemInput } from '../../../model/index.ts';
import { fakePost, forum, type FakeTopic } from '../../fixtures/connectors/discourse.ts';
import { fixtureServer, send, type FixtureServer } from '../../helpers/fixture-server.ts';
import { FAST, ids, signal, valid } from '../../helpers/connector.ts';

const NOW = new Date('2025-03-05T00:00:00Z');
const at = (hours: number) => new Date(NOW.getTime() - 48 * 3_600_000 + hours * 3_600_000).toISOString();

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function source(baseUrl: string, options: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) {
  return discourseSource(SourceConfig.parse({ id: 'acme-forum', kind: 'discourse', options: { baseUrl, ...options } }), { http: FAST, now: () => NOW, env });
}

function topic(id: number, bumped: number, posts: FakeTopic['posts'], extra: Partial<FakeTopic> = {}): FakeTopic {
  return { id, title: `Topic ${id}`, slug: `topic-${id}`, category_id: 5, bumped_at: at(bumped), posts, ...extra };
}

describe('discourse connector', () => {
  test('should read active topics and map their posts, with text, likes, replies and category', async () => {
    const topics = [
      topic(1, 10, [
        fakePost(11, 1, at(1), '<p>The <strong>invoice</strong> page is empty.</p>\n<p>Since Monday &amp; still broken.<br>\nAny idea?</p>', { like: 4, reply_count: 1 }),
        fakePost(12, 2, at(2), '<p>This topic is now pinned.</p>', { post_type: 3 }),
        fakePost(13, 3, at(10), '<p>Same here</p>', { reply_to_post_number: 1 }),
      ], { category_id: 9, tags: ['billing', 'bug'] }),
      topic(2, 5, [fakePost(21, 1, at(5), '<p>Please add dark mode</p>')], { category_id: 6 }),
      topic(3, -100 * 24, [fakePost(31, 1, at(-100 * 24), '<p>Ancient</p>')]),
    ];
    server = await fixtureServer(forum(() => topics, 3));
    const result = await source(server.url).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['11', '13', '21']);
    expect(result.warnings).toEqual([]);
    const [first, reply, other] = result.items as RawItemInput[];
    expect(first).toMatchObject({
      source: { id: 'acme-forum', kind: 'discourse' }, channel: 'forum', externalId: '11', threadId: '1',
      url: `${server.url}/t/topic-1/1/1`, author: { id: '1011', handle: 'user11', name: 'User 11' }, title: 'Topic 1',
      text: 'The invoice page is empty.\n\nSince Monday & still broken.\nAny idea?', publishedAt: at(1),
      engagement: { likes: 4, replies: 1 }, dimensions: { category: 'Billing', tags: 'billing,bug' },
    });
    expect(reply).toMatchObject({ parentId: '11', text: 'Same here', raw: { postNumber: 3, replyToPostNumber: 1 } });
    expect(other!.dimensions).toEqual({ category: 'Feature requests' });
    expect(result.checkpoint).toMatchObject({ bumpedAfter: at(10), maxPostId: 21 });
    expect(server.requests.map((r) => r.path)).toEqual(['/latest.json', '/categories.json?include_subcategories=true', '/t/1.json', '/t/2.json']);
  });

  test('should yield only new replies and newly active topics on the next run', async () => {
    const topics = [topic(1, 1, [fakePost(11, 1, at(1), '<p>a</p>')]), topic(2, 2, [fakePost(21, 1, at(2), '<p>b</p>')])];
    server = await fixtureServer(forum(() => topics, 3));
    const store = new MemoryCheckpointStore();
    const src = source(server.url);
    const runs: string[][] = [];
    const run = () => runWithCheckpoint(src, store, signal(), async (items) => runs.push(ids(items)));
    await run();
    topics[0]!.posts.push(fakePost(14, 2, at(3), '<p>reply to a</p>'));
    topics[0]!.bumped_at = at(3);
    topics.push(topic(3, 4, [fakePost(31, 1, at(4), '<p>c</p>')]));
    await run();
    await run();
    expect(runs).toEqual([['21', '11'], ['31', '14'], []]);
    // The last run asks for the topic list only: nothing was bumped.
    expect(server.requests.at(-1)!.path).toBe('/latest.json');
  });

  test('should page /latest with more_topics_url and fetch long topics\' remaining posts by id', async () => {
    const long = Array.from({ length: 7 }, (_, i) => fakePost(100 + i, i + 1, at(i), `<p>post ${i}</p>`));
    const topics = [topic(1, 20, long), topic(2, 19, [fakePost(21, 1, at(19), '<p>b</p>')]), topic(3, 18, [fakePost(31, 1, at(18), '<p>c</p>')])];
    server = await fixtureServer(forum(() => topics, 3, { perPage: 2, postsInTopic: 3 }));
    const result = await source(server.url).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['100', '101', '102', '103', '104', '105', '106', '21', '31']);
    const paths = server.requests.map((r) => decodeURIComponent(r.path));
    expect(paths).toContain('/latest.json?no_definitions=true&page=1');
    expect(paths).toContain('/t/1/posts.json?post_ids[]=103&post_ids[]=104&post_ids[]=105&post_ids[]=106');
  });

  test('should keep topics listed twice on a page once, and pass over old pinned topics without stopping there', async () => {
    const topics = [
      topic(1, -90 * 24, [fakePost(11, 1, at(-90 * 24), '<p>FAQ</p>')], { pinned: true }),
      topic(2, 5, [fakePost(21, 1, at(5), '<p>b</p>')]),
    ];
    server = await fixtureServer({
      ...forum(() => topics, 2),
      '/latest.json': (_q, res) => send(res, 200, 'application/json', JSON.stringify({
        topic_list: { topics: [
          { id: 1, title: 'FAQ', slug: 'faq', bumped_at: at(-90 * 24), pinned: true, category_id: 5 },
          { id: 2, title: 'b', slug: 'topic-2', bumped_at: at(5), pinned: false, category_id: 5 },
          { id: 2, title: 'b', slug: 'topic-2', bumped_at: at(5), pinned: false, category_id: 5 },
          { id: 'x' },
        ] },
      })),
    });
    const result = await source(server.url).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['21']);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings!.join('\n')).toMatch(/topic 2 listed twice/);
  });

  test('should wait out a 429 with Retry-After, and keep the topics read when a later one fails', async () => {
    const topics = [topic(1, 3, [fakePost(11, 1, at(3), '<p>a</p>')]), topic(2, 2, [fakePost(21, 1, at(2), '<p>b</p>')]), topic(3, 1, [fakePost(31, 1, at(1), '<p>c</p>')])];
    const routes = forum(() => topics, 3);
    server = await fixtureServer({
      ...routes,
      '/latest.json': (req, res, hit, url) => (hit === 1 ? send(res, 429, 'text/plain', 'slow down', { 'retry-after': '1' }) : routes['/latest.json']!(req, res, hit, url)),
      '/t/2.json': (_q, res) => send(res, 200, 'application/json', '{"post_stream": {"posts": [{"id": 21, "post_num'),
    });
    const store = new MemoryCheckpointStore();
    const src = source(server.url);
    let got: string[] = [];
    let warnings: string[] = [];
    await runWithCheckpoint(src, store, signal(), async (items) => (got = ids(items)), (w) => (warnings = w));
    expect(got).toEqual(['11']);
    expect(warnings.join()).toMatch(/topic 2: stopped early, keeping the 1 posts read before: .*does not parse/);
    // Topic 1 is remembered; the fence did not move, so topics 2 and 3 are read next time.
    expect(await store.get('acme-forum')).toMatchObject({ bumpedAfter: new Date(NOW.getTime() - 30 * 86_400_000).toISOString(), maxPostId: 0, topics: { 1: { lastPostId: 11 } } });
    server.requests.length = 0;
    const routesFixed = forum(() => topics, 3);
    await server.close();
    server = await fixtureServer(routesFixed);
    const again = await discourseSource(SourceConfig.parse({ id: 'acme-forum', kind: 'discourse', options: { baseUrl: server.url } }), { http: FAST, now: () => NOW })
      .runFrom({ signal: signal(), checkpoint: await store.get('acme-forum') });
    expect(ids(again.items)).toEqual(['21', '31']);
  });

  test('should pass over a topic deleted since it was listed', async () => {
    const topics = [topic(1, 3, [fakePost(11, 1, at(3), '<p>a</p>')]), topic(2, 2, [fakePost(21, 1, at(2), '<p>b</p>')])];
    const routes = forum(() => topics, 2);
    server = await fixtureServer({ ...routes, '/t/1.json': (_q, res) => send(res, 404, 'application/json', '{"errors":["not found"],"error_type":"not_found"}') });
    const result = await source(server.url).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['21']);
    expect(result.warnings).toEqual([expect.stringMatching(/^topic 1 skipped: GET .*\/t\/1\.json answered 404/)]);
    expect(result.checkpoint).toMatchObject({ bumpedAfter: at(2), maxPostId: 21 });
  });

  test('should fail cleanly when the topic list is HTML, down, or something else', async () => {
    server = await fixtureServer({
      '/html/latest.json': (_q, res) => send(res, 200, 'text/html', '<html>login</html>'),
      '/down/latest.json': (_q, res) => send(res, 502, 'text/html', '<h1>Bad gateway</h1>'),
      '/other/latest.json': (_q, res) => send(res, 200, 'application/json', '{"errors": ["not allowed"]}'),
    });
    const html = await source(`${server.url}/html`).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect((html as AllearsError).code).toBe('http_content_type');
    const down = await source(`${server.url}/down`).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(TransientError);
    const other = await source(`${server.url}/other`).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect((other as AllearsError).code).toBe('discourse_bad_answer');
    expect((other as Error).message).toMatch(/topic_list/);
  });

  test('should send API credentials named by environment variables, and refuse when they are unset', async () => {
    const topics = [topic(1, 1, [fakePost(11, 1, at(1), '<p>a</p>')])];
    server = await fixtureServer(forum(() => topics, 1));
    await source(server.url, { apiKeyEnv: 'FORUM_KEY', apiUsernameEnv: 'FORUM_USER' }, { FORUM_KEY: 'k-1', FORUM_USER: 'bot' }).runFrom({ signal: signal(), checkpoint: null });
    expect(server.requests[0]!.headers).toMatchObject({ 'api-key': 'k-1', 'api-username': 'bot' });
    expect(() => source(server!.url, { apiKeyEnv: 'FORUM_KEY' }, {})).toThrow(ConfigError);
  });
});
