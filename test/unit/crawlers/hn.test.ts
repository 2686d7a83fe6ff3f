import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { MemoryCheckpointStore, runWithCheckpoint } from '../../../crawlers/checkpoint.ts';
import type { FetchOptions } from '../../../crawlers/http.ts';
import { hnSource } from '../../../crawlers/hn/source.ts';
import { SourceConfig } from '../../../config/schema.ts';
import { AllearsError, TransientError } from '../../../model/errors.ts';
import { RawItem, type RawItemInput } from '../../../model/index.ts';
import { fixtureServer, send, type FixtureServer } from '../../helpers/fixture-server.ts';

const FAST: FetchOptions = { retries: 2, backoffMs: 5, maxRetryWaitMs: 20, timeoutMs: 2_000 };
const NOW = new Date('2025-03-05T00:00:00Z');
const T0 = Math.floor(NOW.getTime() / 1000) - 86_400;

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Hit { objectID: string; created_at_i: number; [key: string]: unknown }

/** Hits as Algolia writes them: every field present, null where it does not apply. */
function story(id: number, at: number, title: string, extra: Partial<Hit> = {}): Hit {
  return {
    created_at: new Date(at * 1000).toISOString(), title, url: `https://blog.example.com/${id}`, author: `user${id}`,
    points: 10 + id, story_text: null, comment_text: null, num_comments: 3, story_id: null, story_title: null,
    story_url: null, parent_id: null, created_at_i: at, _tags: ['story', `author_user${id}`, `story_${id}`], objectID: String(id), ...extra,
  };
}
function comment(id: number, at: number, text: string, storyId: number, parentId: number): Hit {
  return {
    created_at: new Date(at * 1000).toISOString(), title: null, url: null, author: `user${id}`, points: null,
    story_text: null, comment_text: text, num_comments: null, story_id: storyId, story_title: `Story ${storyId}`,
    story_url: '', parent_id: parentId, created_at_i: at, _tags: ['comment', `author_user${id}`, `story_${storyId}`], objectID: String(id),
  };
}

/** Answers search_by_date the way Algolia does: numeric filters, newest first, pages from 0. */
function algolia(dataset: () => Hit[]) {
  return (_req: unknown, res: ServerResponse, _hit: number, url: URL) => {
    const filters = (url.searchParams.get('numericFilters') ?? '').split(',').filter(Boolean);
    let hits = dataset();
    for (const f of filters) {
      const m = /^created_at_i(>|<=|<|>=)(\d+)$/.exec(f);
      if (!m) return send(res, 400, 'application/json', JSON.stringify({ message: `bad filter ${f}` }));
      const n = Number(m[2]);
      hits = hits.filter((h) => (m[1] === '>' ? h.created_at_i > n : m[1] === '>=' ? h.created_at_i >= n : m[1] === '<' ? h.created_at_i < n : h.created_at_i <= n));
    }
    hits = [...hits].sort((a, b) => b.created_at_i - a.created_at_i);
    const perPage = Number(url.searchParams.get('hitsPerPage') ?? 20);
    const page = Number(url.searchParams.get('page') ?? 0);
    const body = {
      hits: hits.slice(page * perPage, (page + 1) * perPage), nbHits: hits.length, page,
      nbPages: Math.ceil(hits.length / perPage), hitsPerPage: perPage, processingTimeMS: 1,
      query: url.searchParams.get('query'), params: url.search.slice(1),
    };
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify(body));
  };
}

function source(baseUrl: string, options: Record<string, unknown> = {}) {
  return hnSource(SourceConfig.parse({ id: 'hn-shop', kind: 'hn', options: { query: 'acme shop', baseUrl, ...options } }), { http: FAST, now: () => NOW });
}

function ids(items: unknown[]): string[] {
  for (const item of items) {
    const parsed = RawItem.safeParse(item);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  }
  return (items as RawItemInput[]).map((i) => i.externalId);
}

describe('hn connector', () => {
  test('should page through search_by_date and map stories and comments to forum items', async () => {
    const data = [
      story(101, T0 + 10, 'Acme shop lost my order', { story_text: 'Three weeks and <i>nothing</i>.', url: '' }),
      comment(102, T0 + 20, 'Same here &#x27;support&#x27; never answered', 101, 101),
      comment(103, T0 + 30, 'They refunded me after a week', 101, 102),
      story(104, T0 + 40, 'Acme shop app review'),
      // Older than the first run's look-back: not asked for.
      story(99, T0 - 40 * 86_400, 'Ancient story'),
    ];
    server = await fixtureServer({ '/api/v1/search_by_date': algolia(() => data) });
    const result = await source(`${server.url}/api/v1`, { hitsPerPage: 2 }).runFrom({ signal: new AbortController().signal, checkpoint: null });
    expect(ids(result.items)).toEqual(['104', '103', '102', '101']);
    expect(result.checkpoint).toEqual({ createdAfter: T0 + 40, backlog: [] });
    const first = new URL(server.requests[0]!.path, server.url).searchParams;
    expect(Object.fromEntries(first)).toEqual({
      query: 'acme shop', tags: '(story,comment)', numericFilters: `created_at_i>${Math.floor(NOW.getTime() / 1000) - 30 * 86_400}`, hitsPerPage: '2', page: '0',
    });
    expect(server.requests.map((r) => new URL(r.path, server!.url).searchParams.get('page'))).toEqual(['0', '1']);

    const byId = new Map((result.items as RawItemInput[]).map((i) => [i.externalId, i]));
    expect(byId.get('101')).toMatchObject({
      source: { id: 'hn-shop', kind: 'hn' }, channel: 'forum', url: 'https://news.ycombinator.com/item?id=101', threadId: '101',
      author: { id: 'user101', handle: 'user101' }, title: 'Acme shop lost my order', text: 'Three weeks and <i>nothing</i>.',
      publishedAt: new Date((T0 + 10) * 1000).toISOString(), engagement: { likes: 111, replies: 3 },
    });
    expect(byId.get('101')!.raw).toMatchObject({ type: 'story', link: null });
    expect(byId.get('103')).toMatchObject({ threadId: '101', parentId: '102', title: 'Story 101', text: 'They refunded me after a week', engagement: {} });
  });

  test('should yield only new items on the second run', async () => {
    const data = [story(201, T0 + 1, 'one'), story(202, T0 + 2, 'two')];
    server = await fixtureServer({ '/api/v1/search_by_date': algolia(() => data) });
    const store = new MemoryCheckpointStore();
    const src = source(`${server.url}/api/v1`);
    const runs: string[][] = [];
    const run = () => runWithCheckpoint(src, store, new AbortController().signal, async (items) => runs.push(ids(items)));
    await run();
    data.push(story(203, T0 + 3, 'three'), comment(204, T0 + 3, 'a reply in the same second', 203, 203));
    await run();
    await run();
    expect(runs).toEqual([['202', '201'], ['203', '204'], []]);
    expect(server.requests.at(-1)!.path).toContain(`numericFilters=created_at_i%3E${T0 + 3}`);
  });

  test('should leave what the page budget could not reach for the next runs, without losing or repeating items', async () => {
    // Two hits share the second at a page boundary: the inclusive bound must not repeat the one already read.
    const data = [1, 2, 3, 4, 4, 5, 6].map((d, i) => story(300 + i, T0 + d, `s${i}`));
    server = await fixtureServer({ '/api/v1/search_by_date': algolia(() => data) });
    const src = source(`${server.url}/api/v1`, { hitsPerPage: 2, maxPages: 1 });
    const signal = new AbortController().signal;
    const seen: string[] = [];
    let checkpoint: unknown = null;
    for (let run = 0; run < 5; run++) {
      const result = await src.runFrom({ signal, checkpoint });
      seen.push(...ids(result.items));
      checkpoint = result.checkpoint;
      if (run === 0) expect(result.warnings?.join()).toMatch(/page budget \(1\) spent/);
    }
    // Within one second the order is Algolia's; every item exactly once is what matters.
    expect(seen).toHaveLength(7);
    expect([...seen].sort()).toEqual(['300', '301', '302', '303', '304', '305', '306']);
    expect(checkpoint).toEqual({ createdAfter: T0 + 6, backlog: [] });
  });

  test('should get past a second more crowded than a page', async () => {
    const data = [1, 5, 5, 5, 5, 5, 9].map((d, i) => story(700 + i, T0 + d, `s${i}`));
    server = await fixtureServer({ '/api/v1/search_by_date': algolia(() => data) });
    const src = source(`${server.url}/api/v1`, { hitsPerPage: 2, maxPages: 1 });
    const seen: string[] = [];
    let checkpoint: unknown = null;
    for (let run = 0; run < 8 && (run === 0 || (checkpoint as { backlog: unknown[] }).backlog.length > 0); run++) {
      const result = await src.runFrom({ signal: new AbortController().signal, checkpoint });
      seen.push(...ids(result.items));
      checkpoint = result.checkpoint;
    }
    expect([...seen].sort()).toEqual(['700', '701', '702', '703', '704', '705', '706']);
    expect(checkpoint).toEqual({ createdAfter: T0 + 9, backlog: [] });
  });

  test('should keep one item per id when pages shift under it', async () => {
    let calls = 0;
    const data = [story(401, T0 + 1, 'a'), story(402, T0 + 2, 'b'), story(403, T0 + 3, 'c')];
    server = await fixtureServer({
      '/api/v1/search_by_date': (req, res, hit, url) => {
        calls++;
        // A new item arrives between page 0 and page 1, pushing 402 onto page 1 as well.
        if (hit === 2) data.push(story(404, T0 + 4, 'd'));
        algolia(() => data)(req, res, hit, url);
      },
    });
    const result = await source(`${server.url}/api/v1`, { hitsPerPage: 2 }).runFrom({ signal: new AbortController().signal, checkpoint: null });
    expect(ids(result.items)).toEqual(['403', '402', '401']);
    expect(calls).toBe(2);
  });

  test('should wait out a 429 with Retry-After and then carry on', async () => {
    const data = [story(501, T0 + 1, 'a')];
    server = await fixtureServer({
      '/api/v1/search_by_date': (req, res, hit, url) => (hit === 1
        ? send(res, 429, 'application/json', '{"message":"rate limited"}', { 'retry-after': '1' })
        : algolia(() => data)(req, res, hit, url)),
    });
    const result = await source(`${server.url}/api/v1`).runFrom({ signal: new AbortController().signal, checkpoint: null });
    expect(ids(result.items)).toEqual(['501']);
    expect(server.requests).toHaveLength(2);
  });

  test('should give up on a failing API with a TransientError and keep the checkpoint where it was', async () => {
    server = await fixtureServer({ '/api/v1/search_by_date': (_q, res) => send(res, 502, 'text/html', '<h1>Bad gateway</h1>') });
    const store = new MemoryCheckpointStore();
    await store.set('hn-shop', { createdAfter: T0, backlog: [] });
    const err = await runWithCheckpoint(source(`${server.url}/api/v1`), store, new AbortController().signal, async () => 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(server.requests).toHaveLength(3);
    expect(await store.get('hn-shop')).toEqual({ createdAfter: T0, backlog: [] });
  });

  test('should report truncated JSON, HTML answers and foreign JSON clearly', async () => {
    server = await fixtureServer({
      '/cut/search_by_date': (_q, res) => send(res, 200, 'application/json', '{"hits":[{"objectID":"1","created_at_i":17'),
      '/html/search_by_date': (_q, res) => send(res, 200, 'text/html', '<html>captcha</html>'),
      '/other/search_by_date': (_q, res) => send(res, 200, 'application/json', '{"items":[]}'),
    });
    const signal = new AbortController().signal;
    const cut = await source(`${server.url}/cut`).runFrom({ signal, checkpoint: null }).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(TransientError);
    expect((cut as Error).message).toMatch(/does not parse/);
    const html = await source(`${server.url}/html`).runFrom({ signal, checkpoint: null }).catch((e: unknown) => e);
    expect((html as AllearsError).code).toBe('http_content_type');
    const other = await source(`${server.url}/other`).runFrom({ signal, checkpoint: null }).catch((e: unknown) => e);
    expect((other as AllearsError).code).toBe('hn_bad_answer');
    expect((other as Error).message).toMatch(/hits/);
  });

  test('should skip hits that cannot become items and say why', async () => {
    const data = [story(601, T0 + 1, ''), { objectID: '602' } as unknown as Hit, story(603, T0 + 3, 'fine')];
    server = await fixtureServer({
      '/api/v1/search_by_date': (_q, res) => send(res, 200, 'application/json', JSON.stringify({ hits: data, page: 0, nbPages: 1 })),
    });
    const result = await source(`${server.url}/api/v1`).runFrom({ signal: new AbortController().signal, checkpoint: null });
    expect(ids(result.items)).toEqual(['603']);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings!.join('\n')).toMatch(/created_at_i/);
    expect(result.warnings!.join('\n')).toMatch(/item 601 skipped: text: must not be empty/);
  });
});
