import { afterEach, describe, expect, test } from 'vitest';
import { MemoryCheckpointStore, runWithCheckpoint } from '../../../crawlers/checkpoint.ts';
import { USER_AGENT } from '../../../crawlers/http.ts';
import { redditSource } from '../../../crawlers/reddit/source.ts';
import { SourceConfig } from '../../../config/schema.ts';
import { AllearsError, ConfigError, TransientError } from '../../../model/errors.ts';
import type { RawItemInput } from '../../../model/index.ts';
import { comment, listing, post, type Thing } from '../../fixtures/connectors/reddit.ts';
import { fixtureServer, send, type FixtureServer } from '../../helpers/fixture-server.ts';
import { FAST, ids, signal, valid } from '../../helpers/connector.ts';

const NOW = new Date('2025-03-05T00:00:00Z');
const T0 = NOW.getTime() / 1000 - 86_400;

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function source(baseUrl: string, options: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) {
  return redditSource(SourceConfig.parse({ id: 'reddit-acme', kind: 'reddit', options: { subreddit: 'acme', baseUrl, ...options } }), { http: FAST, now: () => NOW, env });
}

describe('reddit connector', () => {
  test('should page through /new with after= and map posts to social items', async () => {
    const data: Thing[] = [
      post('a1', T0 + 10, 'Acme app keeps crashing', { link_flair_text: 'Bug', score: 57, num_comments: 9 }),
      post('a2', T0 + 20, 'Link post', { is_self: false, selftext: '', url: 'https://news.example.com/acme', score: -3 }),
      post('a3', T0 + 30.5, 'Removed one', { selftext: '[removed]', author: '[deleted]' }),
      post('old', T0 - 40 * 86_400, 'Older than the look-back'),
    ];
    server = await fixtureServer({ '/r/acme/new.json': listing(() => data) });
    const result = await source(server.url, { limit: 2 }).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['t3_a3', 't3_a2', 't3_a1']);
    expect(result.warnings).toEqual([]);
    expect(server.requests.map((r) => r.path)).toEqual(['/r/acme/new.json?limit=2&raw_json=1', '/r/acme/new.json?limit=2&raw_json=1&after=t3_a2']);
    expect(server.requests[0]!.headers['user-agent']).toBe(USER_AGENT);
    expect(server.requests[0]!.headers.authorization).toBeUndefined();

    const [removed, link, self] = result.items as RawItemInput[];
    expect(self).toMatchObject({
      source: { id: 'reddit-acme', kind: 'reddit' }, channel: 'social', externalId: 't3_a1', threadId: 't3_a1',
      url: 'https://www.reddit.com/r/acme/comments/a1/acme_app_keeps_crashing/', author: { id: 't2_ua1', handle: 'user_a1' },
      title: 'Acme app keeps crashing', text: 'Body of Acme app keeps crashing', publishedAt: new Date((T0 + 10) * 1000).toISOString(),
      engagement: { likes: 57, replies: 9 }, dimensions: { subreddit: 'acme', flair: 'Bug' }, raw: { type: 'post', link: null },
    });
    expect(link).toMatchObject({ engagement: { replies: 4 }, raw: { link: 'https://news.example.com/acme', score: -3 } });
    expect(link!.engagement).not.toHaveProperty('likes');
    expect(removed).toMatchObject({ title: 'Removed one', text: '', publishedAt: new Date((T0 + 30.5) * 1000).toISOString() });
    expect(removed!.author).toBeUndefined();
    expect(result.checkpoint).toMatchObject({ posts: { newest: T0 + 30.5, idsAtNewest: ['t3_a3'] } });
  });

  test('should yield only new posts on the next run, including one in the same second as the newest', async () => {
    const data = [post('b1', T0 + 1, 'one'), post('b2', T0 + 2, 'two')];
    server = await fixtureServer({ '/r/acme/new.json': listing(() => data) });
    const store = new MemoryCheckpointStore();
    const src = source(server.url, { limit: 1 });
    const runs: string[][] = [];
    const run = () => runWithCheckpoint(src, store, signal(), async (items) => runs.push(ids(items)));
    await run();
    data.push(post('b3', T0 + 3, 'three'), post('b4', T0 + 2, 'same second as two'));
    await run();
    await run();
    expect(runs).toEqual([['t3_b2', 't3_b1'], ['t3_b3', 't3_b4'], []]);
    // The last run reads past the newest post (others may share its second) and stops at the first older one.
    expect(server.requests.slice(-2).map((r) => r.path)).toEqual(['/r/acme/new.json?limit=1&raw_json=1', '/r/acme/new.json?limit=1&raw_json=1&after=t3_b3']);
  });

  test('should read newest comments as a second listing with their own checkpoint', async () => {
    const posts = [post('p1', T0 + 1, 'Checkout broken')];
    const comments = [comment('c1', T0 + 5, 'Same for me since the update', 'p1'), comment('c2', T0 + 6, '[deleted]', 'p1', { author: '[deleted]' })];
    server = await fixtureServer({ '/r/acme/new.json': listing(() => posts), '/r/acme/comments.json': listing(() => comments) });
    const src = source(server.url, { comments: true });
    const first = await src.runFrom({ signal: signal(), checkpoint: null });
    expect(ids(first.items)).toEqual(['t3_p1', 't1_c1']);
    expect(first.warnings?.join()).toMatch(/t1_c2 skipped: text: must not be empty/);
    expect((first.items as RawItemInput[])[1]).toMatchObject({
      threadId: 't3_p1', parentId: 't3_p1', title: 'Post p1', text: 'Same for me since the update', author: { handle: 'c_c1' },
      url: 'https://www.reddit.com/r/acme/comments/p1/post/c1/', engagement: { likes: 3 }, raw: { type: 'comment' },
    });
    comments.push(comment('c3', T0 + 7, 'Fixed now', 'p1'));
    const second = await src.runFrom({ signal: signal(), checkpoint: first.checkpoint });
    expect(ids(second.items)).toEqual(['t1_c3']);
  });

  test('should search newest first, restricted to the subreddit when one is given', async () => {
    const data = [post('s1', T0 + 1, 'acme refund')];
    server = await fixtureServer({ '/search.json': listing(() => data), '/r/acme/search.json': listing(() => data) });
    await source(server.url, { subreddit: undefined, query: 'acme refund' }).runFrom({ signal: signal(), checkpoint: null });
    await source(server.url, { query: 'acme refund' }).runFrom({ signal: signal(), checkpoint: null });
    expect(server.requests.map((r) => r.path)).toEqual([
      '/search.json?limit=100&raw_json=1&q=acme+refund&sort=new&type=link',
      '/r/acme/search.json?limit=100&raw_json=1&q=acme+refund&sort=new&type=link&restrict_sr=1',
    ]);
  });

  test('should wait out a 429 with Retry-After and then carry on', async () => {
    const data = [post('r1', T0 + 1, 'a')];
    server = await fixtureServer({
      '/r/acme/new.json': (req, res, hit, url) => (hit === 1
        ? send(res, 429, 'application/json', '{"message": "Too Many Requests", "error": 429}', { 'retry-after': '1' })
        : listing(() => data)(req, res, hit, url)),
    });
    const result = await source(server.url).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['t3_r1']);
    expect(server.requests).toHaveLength(2);
  });

  test('should keep the first page when a later one is cut off, warn, and leave the checkpoint where it was', async () => {
    const data = [post('t1', T0 + 1, 'a'), post('t2', T0 + 2, 'b'), post('t3', T0 + 3, 'c')];
    server = await fixtureServer({
      '/r/acme/new.json': (req, res, hit, url) => (url.searchParams.has('after')
        ? send(res, 200, 'application/json', '{"kind": "Listing", "data": {"children": [{"kind": "t3", "da')
        : listing(() => data)(req, res, hit, url)),
    });
    const store = new MemoryCheckpointStore();
    const before = { posts: { newest: T0, idsAtNewest: ['t3_t0'] }, comments: { newest: null, idsAtNewest: [] } };
    await store.set('reddit-acme', before);
    let got: string[] = [];
    let warnings: string[] = [];
    await runWithCheckpoint(source(server.url, { limit: 2 }), store, signal(), async (items) => (got = ids(items)), (w) => (warnings = w));
    expect(got).toEqual(['t3_t3', 't3_t2']);
    expect(warnings.join()).toMatch(/posts: stopped early, keeping the 2 items read before: .*does not parse/);
    expect(await store.get('reddit-acme')).toEqual(before);
  });

  test('should fail cleanly on HTML, 5xx and foreign JSON when nothing was read', async () => {
    server = await fixtureServer({
      '/html/r/acme/new.json': (_q, res) => send(res, 200, 'text/html', '<html>whoa there, pardner!</html>'),
      '/down/r/acme/new.json': (_q, res) => send(res, 503, 'text/html', '<h1>Service Unavailable</h1>'),
      '/other/r/acme/new.json': (_q, res) => send(res, 200, 'application/json', '{"message": "Forbidden", "error": 403}'),
    });
    const html = await source(`${server.url}/html`).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect((html as AllearsError).code).toBe('http_content_type');
    const store = new MemoryCheckpointStore();
    await store.set('reddit-acme', { posts: { newest: T0, idsAtNewest: [] } });
    const down = await runWithCheckpoint(source(`${server.url}/down`), store, signal(), async () => 0).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(TransientError);
    expect(await store.get('reddit-acme')).toEqual({ posts: { newest: T0, idsAtNewest: [] } });
    const other = await source(`${server.url}/other`).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect((other as AllearsError).code).toBe('reddit_bad_answer');
    expect((other as Error).message).toMatch(/kind/);
  });

  test('should keep one item per id when a page lists it twice, and skip things it cannot read', async () => {
    const page = { kind: 'Listing', data: { after: null, children: [post('d1', T0 + 1, 'x'), post('d1', T0 + 1, 'x'), { kind: 't3', data: { name: 't3_bad' } }, { kind: 't5', data: { name: 't5_2qh23' } }] } };
    server = await fixtureServer({ '/r/acme/new.json': (_q, res) => send(res, 200, 'application/json', JSON.stringify(page)) });
    const result = await source(server.url).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['t3_d1']);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings!.join('\n')).toMatch(/t3_d1 listed twice/);
    expect(result.warnings!.join('\n')).toMatch(/created_utc/);
  });

  test('should say when the page budget ends before reaching what was read earlier', async () => {
    const data = [1, 2, 3, 4, 5].map((d) => post(`g${d}`, T0 + d, `p${d}`));
    server = await fixtureServer({ '/r/acme/new.json': listing(() => data) });
    const result = await source(server.url, { limit: 2, maxPages: 2 }).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['t3_g5', 't3_g4', 't3_g3', 't3_g2']);
    expect(result.warnings?.join()).toMatch(/page budget \(2\) spent/);
  });

  test('should use an app-only OAuth token from the named environment variables, and never store it', async () => {
    const data = [post('o1', T0 + 1, 'a')];
    let tokenRequests = 0;
    let tokenAuth = '';
    server = await fixtureServer({
      '/api/v1/access_token': (req, res) => {
        tokenRequests++;
        tokenAuth = req.headers.authorization ?? '';
        send(res, 200, 'application/json', JSON.stringify({ access_token: 'tok-123', token_type: 'bearer', expires_in: 86400, scope: '*' }));
      },
      '/r/acme/new.json': listing(() => data),
    });
    const env = { ACME_REDDIT_ID: 'app-id', ACME_REDDIT_SECRET: 'app-secret' };
    const src = source(server.url, { clientIdEnv: 'ACME_REDDIT_ID', clientSecretEnv: 'ACME_REDDIT_SECRET', tokenUrl: `${server.url}/api/v1/access_token` }, env);
    const first = await src.runFrom({ signal: signal(), checkpoint: null });
    await src.runFrom({ signal: signal(), checkpoint: first.checkpoint });
    expect(tokenRequests).toBe(1);
    expect(tokenAuth).toBe(`Basic ${Buffer.from('app-id:app-secret').toString('base64')}`);
    const listingCalls = server.requests.filter((r) => r.path.startsWith('/r/acme'));
    expect(listingCalls.map((r) => r.headers.authorization)).toEqual(['Bearer tok-123', 'Bearer tok-123']);
    expect(JSON.stringify(first)).not.toMatch(/tok-123|app-secret/);

    expect(() => source(server!.url, { clientIdEnv: 'ACME_REDDIT_ID' }, env)).toThrow(ConfigError);
    expect(() => source(server!.url, { clientIdEnv: 'NOPE_ID', clientSecretEnv: 'NOPE_SECRET' }, env)).toThrow(/NOPE_ID, NOPE_SECRET not set/);
  });

  test('should reject options it cannot run with, naming the field', () => {
    expect(() => source('http://127.0.0.1:1', { subreddit: 'r/acme' })).toThrow(ConfigError);
    const err = (() => { try { source('http://127.0.0.1:1', { subreddit: undefined, comments: true }); } catch (e) { return e as ConfigError; } })();
    expect(err?.details.map((d) => d.path)).toEqual(expect.arrayContaining(['sources.reddit-acme.options.subreddit', 'sources.reddit-acme.options.comments']));
  });
});
