import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SourceConfig } from '../../../config/schema.ts';
import { ConfigError } from '../../../model/errors.ts';
import { RawItem, type RawItemInput } from '../../../model/index.ts';
import { webOptions, webSource } from '../../../crawlers/web/source.ts';
import { userAgent } from '../../../crawlers/web/crawler.ts';
import { microdataNodes, parseHtml, readSchemaOrgPosts } from '../../../crawlers/web/extract.ts';
import { fixtureServer, send, type FixtureServer } from '../../helpers/fixture-server.ts';

const html = (body: string, head = '') => `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

interface Post { id: string; author: string; date: string; body: string; replies?: number }
const post = (p: Post) =>
  `<div class="post" data-id="${p.id}"><a class="author" href="/u/${encodeURIComponent(p.author)}">${p.author}</a> <span class="date">${p.date}</span>`
  + `${p.replies === undefined ? '' : `<span class="replies">${p.replies} replies</span>`}<div class="body">${p.body}</div></div>`;
const threadPage = (title: string, posts: Post[], next?: string) =>
  html(`<h1>${title}</h1>${posts.map(post).join('\n')}${next ? `<a class="next" href="${next}">Next »</a>` : ''}`, `<title>${title}</title>`);

interface Row { href: string; title: string; replies: number; last: string }
const listingPage = (rows: Row[], next?: string) => html(
  `<table>${rows.map((r) => `<tr class="thread"><td><a class="t" href="${r.href}">${r.title}</a></td><td class="replies">${r.replies}</td><td class="last">${r.last}</td></tr>`).join('')}</table>`
  + (next ? `<a class="next" href="${next}">next page</a>` : ''),
);

/** Site state the second run sees: thread 1 has a new reply, thread 10 is new. */
let round = 1;
const t3Hits: number[] = [];

const JSON_LD = {
  '@context': 'https://schema.org',
  '@type': 'DiscussionForumPosting',
  identifier: 'p701',
  headline: 'App crashes on launch',
  text: 'The app crashes right after the splash screen.',
  datePublished: '2025-06-10T09:00:00+08:00',
  author: { '@type': 'Person', name: 'jack', url: '/u/jack' },
  interactionStatistic: { '@type': 'InteractionCounter', interactionType: 'https://schema.org/CommentAction', userInteractionCount: 2 },
  comment: [
    {
      '@type': 'Comment', identifier: 'p702', text: 'Reinstalling helped me.', dateCreated: '2025-06-10 12:00', author: { name: 'kim' },
      comment: [{ '@type': 'Comment', identifier: 'p703', text: 'Did not help here.', datePublished: '2025-06-11T08:00:00Z', author: 'lee' }],
    },
    { '@type': 'Comment', identifier: 'p704', text: 'No date on this one.', author: 'max' },
  ],
};

function routes(): Parameters<typeof fixtureServer>[0] {
  return {
    '/robots.txt': (_req, res) => send(res, 200, 'text/plain', 'User-agent: *\nDisallow: /private/\n'),
    '/forum': (_req, res, _hit, url) => {
      if (url.searchParams.get('page') === '2') {
        return send(res, 200, 'text/html; charset=utf-8', listingPage([
          { href: '/t/7', title: 'App crashes on launch', replies: 2, last: '2025-06-11 16:00' },
          { href: '/t/8', title: 'A PDF', replies: 0, last: 'Jun 1, 2025' },
          { href: '/t/9', title: 'Huge thread', replies: 0, last: 'Jun 1, 2025' },
        ]));
      }
      const rows: Row[] = [
        round === 1
          ? { href: '/t/1', title: 'Checkout keeps failing', replies: 4, last: 'just now' }
          : { href: '/t/1', title: 'Checkout keeps failing', replies: 5, last: '2025-06-15 11:00' },
        { href: '/t/2', title: '退款一直没到账', replies: 3, last: '5分钟前' },
        { href: '/t/3', title: 'No call back', replies: 0, last: '2 days ago' },
        { href: '/private/t/4', title: 'Staff only', replies: 0, last: 'today 08:00' },
        { href: '/t/5', title: 'Broken page', replies: 0, last: 'today 08:00' },
        { href: '/loop', title: 'Loop', replies: 0, last: 'today 08:00' },
      ];
      if (round === 2) rows.unshift({ href: '/t/10', title: 'New design', replies: 0, last: '10 minutes ago' });
      return send(res, 200, 'text/html; charset=utf-8', listingPage(rows, '/forum?page=2'));
    },
    '/t/1': (_req, res, _hit, url) => {
      const page = url.searchParams.get('page') ?? '1';
      if (page === '1') {
        return send(res, 200, 'text/html; charset=utf-8', threadPage('Checkout keeps failing', [
          { id: 'p101', author: 'alice', date: 'Mar 1, 2025', body: '<p>Checkout fails at the payment step.</p><p>Anyone else?</p>', replies: round === 1 ? 4 : 5 },
          { id: 'p102', author: 'bob', date: '2025-03-01 14:02', body: 'Same here since the update.' },
        ], '/t/1?page=2'));
      }
      if (page === '2') {
        return send(res, 200, 'text/html; charset=utf-8', threadPage('Checkout keeps failing', [
          { id: 'p103', author: 'carol', date: 'yesterday at 2:15 PM', body: 'It works on desktop.' },
          { id: 'p104', author: 'dave', date: '3 hours ago', body: 'Still broken <b>for me</b>.' },
        ], '/t/1?page=3'));
      }
      const posts: Post[] = [{ id: 'p105', author: 'erin', date: 'just now', body: 'Fixed after clearing the cache.' }];
      if (round === 2) posts.push({ id: 'p106', author: 'frank', date: '2025-06-15 11:00', body: 'Broke again today.' });
      return send(res, 200, 'text/html; charset=utf-8', threadPage('Checkout keeps failing', posts));
    },
    '/t/2': (_req, res) => send(res, 200, 'text/html; charset=utf-8', threadPage('退款一直没到账', [
      { id: 'p201', author: '小明', date: '2025年3月1日 14:02', body: '申请退款两周了还没到账。', replies: 3 },
      { id: 'p202', author: '小红', date: '03-01 15:30', body: '我也是，客服不回复。' },
      { id: 'p203', author: '老王', date: '昨天 14:02', body: '刚刚收到退款了。' },
      { id: 'p204', author: '阿强', date: '5分钟前', body: '还在等。' },
      { id: 'p204', author: '阿强', date: '5分钟前', body: '还在等（重复）。' },
    ])),
    '/t/3': (_req, res, hit) => {
      t3Hits.push(Date.now());
      if (hit === 1) return send(res, 503, 'text/html', 'busy', { 'retry-after': '1' });
      return send(res, 200, 'text/html; charset=utf-8', threadPage('No call back', [
        { id: 'p301', author: 'gina', date: '2 days ago', body: 'Support never called back.', replies: 0 },
      ]));
    },
    '/private/t/4': (_req, res) => send(res, 200, 'text/html', threadPage('Staff only', [{ id: 'p401', author: 'x', date: 'today 08:00', body: 'secret' }])),
    // Unclosed tags everywhere and no </body></html>.
    '/t/5': (_req, res) => send(res, 200, 'text/html; charset=utf-8',
      '<html><body><h1>Broken page</h1><div class="post" data-id="p501"><a class="author" href="/u/hank">hank</a><span class="date">1749945600</span><div class="body"><p>Broken <b>markup <i>everywhere</div>'),
    '/loop': (_req, res) => send(res, 302, 'text/html', '', { location: '/loop2' }),
    '/loop2': (_req, res) => send(res, 302, 'text/html', '', { location: '/loop' }),
    '/t/7': (_req, res) => send(res, 200, 'text/html; charset=utf-8', html(
      '<h1>App crashes on launch</h1><p>Rendered from structured data.</p>',
      `<script type="application/ld+json">${JSON.stringify(JSON_LD)}</script><script type="application/ld+json">{ not json</script>`,
    )),
    '/t/8': (_req, res) => send(res, 200, 'application/pdf', '%PDF-1.4'),
    '/t/9': (_req, res) => send(res, 200, 'text/html', threadPage('Huge thread', [{ id: 'p901', author: 'y', date: 'today 08:00', body: 'x'.repeat(200_000) }])),
    '/t/10': (_req, res) => send(res, 200, 'text/html; charset=utf-8', threadPage('New design', [
      { id: 'p1001', author: 'nora', date: '10 minutes ago', body: 'Love the new design.', replies: 0 },
    ])),
  };
}

let server: FixtureServer;
beforeAll(async () => {
  server = await fixtureServer(routes());
});
afterAll(async () => {
  await server?.close();
});

function forumConfig(base: string, extra: Record<string, unknown> = {}) {
  return SourceConfig.parse({
    id: 'test-forum',
    kind: 'web',
    options: {
      startUrls: [`${base}/forum`],
      timeZone: 'Asia/Shanghai',
      contact: 'https://example.org/allears',
      maxConcurrency: 2,
      maxRequestsPerMinute: 100_000,
      retries: 2,
      backoffMs: 0,
      maxRetryWaitMs: 5_000,
      maxPageBytes: '64kb',
      listing: { row: 'tr.thread', threadLink: 'a.t', replyCount: 'td.replies', lastPost: 'td.last', nextPage: 'a.next' },
      thread: {
        post: 'div.post', id: '@data-id', author: 'a.author', authorLink: 'a.author@href',
        date: 'span.date', body: 'div.body', replyCount: 'span.replies', title: 'h1', nextPage: 'a.next',
      },
      ...extra,
    },
  });
}

/** The fields a reader cares about, in a stable order. */
const view = (items: unknown[]) => (items as RawItemInput[])
  .map((i) => ({
    id: i.externalId, author: i.author?.name, authorId: i.author?.id, at: i.publishedAt, text: i.text, title: i.title,
    replies: i.engagement?.replies, thread: i.threadId, parent: i.parentId, url: i.url,
  }))
  .sort((a, b) => a.id.localeCompare(b.id));

const NOW1 = new Date('2025-06-15T02:30:00Z'); // 10:30 in Shanghai
const NOW2 = new Date('2025-06-15T03:30:00Z');

describe('web source on a local forum (cheerio)', () => {
  let firstCheckpoint: unknown;

  test('the first run reads every thread, page and date format, and reports what it could not read', async () => {
    round = 1;
    const base = server.url;
    const source = webSource(forumConfig(base), { now: () => NOW1 });
    const { items, checkpoint, warnings } = await source.runFrom({ signal: new AbortController().signal, checkpoint: null });
    firstCheckpoint = checkpoint;
    const t1 = `${base}/t/1`;
    const t2 = `${base}/t/2`;
    const t7 = `${base}/t/7`;
    const u = (name: string) => `${base}/u/${encodeURIComponent(name)}`;
    expect(view(items)).toEqual([
      { id: 'p101', author: 'alice', authorId: u('alice'), at: '2025-02-28T16:00:00.000Z', text: 'Checkout fails at the payment step.\n\nAnyone else?', title: 'Checkout keeps failing', replies: 4, thread: t1, parent: undefined, url: t1 },
      { id: 'p102', author: 'bob', authorId: u('bob'), at: '2025-03-01T06:02:00.000Z', text: 'Same here since the update.', title: 'Checkout keeps failing', replies: undefined, thread: t1, parent: undefined, url: t1 },
      { id: 'p103', author: 'carol', authorId: u('carol'), at: '2025-06-14T06:15:00.000Z', text: 'It works on desktop.', title: 'Checkout keeps failing', replies: undefined, thread: t1, parent: undefined, url: `${t1}?page=2` },
      { id: 'p104', author: 'dave', authorId: u('dave'), at: '2025-06-14T23:30:00.000Z', text: 'Still broken for me.', title: 'Checkout keeps failing', replies: undefined, thread: t1, parent: undefined, url: `${t1}?page=2` },
      { id: 'p105', author: 'erin', authorId: u('erin'), at: '2025-06-15T02:30:00.000Z', text: 'Fixed after clearing the cache.', title: 'Checkout keeps failing', replies: undefined, thread: t1, parent: undefined, url: `${t1}?page=3` },
      { id: 'p201', author: '小明', authorId: u('小明'), at: '2025-03-01T06:02:00.000Z', text: '申请退款两周了还没到账。', title: '退款一直没到账', replies: 3, thread: t2, parent: undefined, url: t2 },
      { id: 'p202', author: '小红', authorId: u('小红'), at: '2025-03-01T07:30:00.000Z', text: '我也是，客服不回复。', title: '退款一直没到账', replies: undefined, thread: t2, parent: undefined, url: t2 },
      { id: 'p203', author: '老王', authorId: u('老王'), at: '2025-06-14T06:02:00.000Z', text: '刚刚收到退款了。', title: '退款一直没到账', replies: undefined, thread: t2, parent: undefined, url: t2 },
      { id: 'p204', author: '阿强', authorId: u('阿强'), at: '2025-06-15T02:25:00.000Z', text: '还在等。', title: '退款一直没到账', replies: undefined, thread: t2, parent: undefined, url: t2 },
      { id: 'p301', author: 'gina', authorId: u('gina'), at: '2025-06-13T02:30:00.000Z', text: 'Support never called back.', title: 'No call back', replies: 0, thread: `${base}/t/3`, parent: undefined, url: `${base}/t/3` },
      { id: 'p501', author: 'hank', authorId: u('hank'), at: '2025-06-15T00:00:00.000Z', text: 'Broken markup everywhere', title: 'Broken page', replies: undefined, thread: `${base}/t/5`, parent: undefined, url: `${base}/t/5` },
      { id: 'p701', author: 'jack', authorId: u('jack'), at: '2025-06-10T01:00:00.000Z', text: 'The app crashes right after the splash screen.', title: 'App crashes on launch', replies: 2, thread: t7, parent: undefined, url: t7 },
      { id: 'p702', author: 'kim', authorId: undefined, at: '2025-06-10T04:00:00.000Z', text: 'Reinstalling helped me.', title: 'App crashes on launch', replies: undefined, thread: t7, parent: 'p701', url: t7 },
      { id: 'p703', author: 'lee', authorId: undefined, at: '2025-06-11T08:00:00.000Z', text: 'Did not help here.', title: 'App crashes on launch', replies: undefined, thread: t7, parent: 'p702', url: t7 },
    ]);
    for (const item of items) expect(RawItem.safeParse(item).success).toBe(true);
    expect((items as RawItemInput[]).every((i) => i.source.kind === 'web' && i.source.id === 'test-forum' && i.channel === 'forum')).toBe(true);

    // Every failure is a warning; the run itself ended normally.
    const text = warnings!.join('\n');
    expect(text).toMatch(/robots\.txt disallows .*\/private\/t\/4/);
    expect(text).toMatch(/\/loop.*redirect loop/);
    expect(text).toMatch(/\/t\/8.*application\/pdf.*expected an HTML page/);
    expect(text).toMatch(/\/t\/9.*larger than the 65536-byte limit/);
    expect(text).toMatch(/\/t\/2: post id p204 already read .*duplicate skipped/);
    expect(text).toMatch(/\/t\/7: post p704 skipped: no date found/);
    expect(text).toMatch(/\/t\/7: JSON-LD block 2 does not parse/);
    expect(warnings).toHaveLength(7);

    // The disallowed page was never asked for; robots.txt once; 503 then, after Retry-After, success.
    const paths = server.requests.map((r) => r.path);
    expect(paths.filter((p) => p.startsWith('/private'))).toEqual([]);
    expect(paths.filter((p) => p === '/robots.txt')).toHaveLength(1);
    expect(t3Hits).toHaveLength(2);
    expect(t3Hits[1]! - t3Hits[0]!).toBeGreaterThanOrEqual(950);
    for (const r of server.requests) expect(r.headers['user-agent']).toMatch(/^allears\/\d+\.\d+\.\d+ \(\+https:\/\/example\.org\/allears\)$/);
    // Storage stays in memory: no crawlee folder appears in the working directory.
    expect(existsSync(join(process.cwd(), 'storage'))).toBe(false);
  });

  test('the second run returns only new posts and skips threads whose listing row did not change', async () => {
    round = 2;
    server.requests.length = 0;
    const source = webSource(forumConfig(server.url), { now: () => NOW2 });
    const { items, checkpoint, warnings } = await source.runFrom({ signal: new AbortController().signal, checkpoint: JSON.parse(JSON.stringify(firstCheckpoint)) });
    const base = server.url;
    expect(view(items)).toEqual([
      { id: 'p1001', author: 'nora', authorId: `${base}/u/nora`, at: '2025-06-15T03:20:00.000Z', text: 'Love the new design.', title: 'New design', replies: 0, thread: `${base}/t/10`, parent: undefined, url: `${base}/t/10` },
      { id: 'p106', author: 'frank', authorId: `${base}/u/frank`, at: '2025-06-15T03:00:00.000Z', text: 'Broke again today.', title: 'Checkout keeps failing', replies: undefined, thread: `${base}/t/1`, parent: undefined, url: `${base}/t/1?page=3` },
    ]);
    const paths = server.requests.map((r) => r.path);
    // Thread 1 resumes at its last page; unchanged threads are not fetched again.
    expect(paths).toContain('/t/1?page=3');
    expect(paths).not.toContain('/t/1');
    expect(paths).not.toContain('/t/1?page=2');
    expect(paths).not.toContain('/t/2');
    expect(paths).not.toContain('/t/3');
    expect(paths).not.toContain('/t/7');
    expect(warnings!.join('\n')).toMatch(/redirect loop/);
    // Problems with posts already reported are not reported again.
    expect(warnings!.join('\n')).not.toMatch(/p704|p204/);

    // A third run over an unchanged site returns nothing.
    const again = await source.runFrom({ signal: new AbortController().signal, checkpoint });
    expect(again.items).toEqual([]);
  });

  test('a page budget stops the run early and keeps what was read; the next run goes on', async () => {
    round = 1;
    const source = webSource(forumConfig(server.url, { maxPages: 3, maxConcurrency: 1 }), { now: () => NOW1 });
    const first = await source.runFrom({ signal: new AbortController().signal, checkpoint: null });
    expect(first.warnings!.join('\n')).toMatch(/page budget \(3\) spent/);
    expect(first.items.length).toBeGreaterThan(0);
    const second = await source.runFrom({ signal: new AbortController().signal, checkpoint: first.checkpoint });
    const ids = new Set(view(first.items).map((i) => i.id));
    for (const item of view(second.items)) expect(ids.has(item.id)).toBe(false);
    expect(second.items.length).toBeGreaterThan(0);
  });

  test('cancelling a run stops the crawl and rejects, so no checkpoint is stored', async () => {
    const controller = new AbortController();
    const slow = await fixtureServer({
      '/robots.txt': (_req, res) => send(res, 404, 'text/plain', ''),
      '/forum': (_req, res) => send(res, 200, 'text/html', listingPage([{ href: '/t/1', title: 'x', replies: 0, last: 'just now' }])),
      '/t/1': (_req, res) => {
        controller.abort(new Error('shutting down'));
        setTimeout(() => send(res, 200, 'text/html', threadPage('x', [{ id: 'a', author: 'a', date: 'just now', body: 'a' }])), 200);
      },
    });
    try {
      const source = webSource(forumConfig(slow.url), { now: () => NOW1 });
      await expect(source.runFrom({ signal: controller.signal, checkpoint: null })).rejects.toThrow('shutting down');
    } finally {
      await slow.close();
    }
  });

  test('a missing browser ends a playwright run with one clear warning', async () => {
    round = 1;
    const source = webSource(forumConfig(server.url, { render: 'playwright', chromiumPath: '/nonexistent/chromium', maxConcurrency: 1 }), { now: () => NOW1 });
    const { items, warnings } = await source.runFrom({ signal: new AbortController().signal, checkpoint: null });
    expect(items).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^cannot start Chromium at \/nonexistent\/chromium \(set options\.chromiumPath or ALLEARS_CHROMIUM_PATH\)/)]);
  });

  test('a browser that exits at launch ends a playwright run with one clear warning', async () => {
    const source = webSource(forumConfig(server.url, { render: 'playwright', chromiumPath: '/bin/false', maxConcurrency: 2 }), { now: () => NOW1 });
    const { items, warnings } = await source.runFrom({ signal: new AbortController().signal, checkpoint: null });
    expect(items).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^cannot start Chromium at \/bin\/false \(set options\.chromiumPath or ALLEARS_CHROMIUM_PATH\)/)]);
  });

  test('a body without Content-Length is cut off at the size limit and a 404 is a warning; the other pages are read', async () => {
    const site = await fixtureServer({
      '/robots.txt': (_req, res) => send(res, 404, 'text/plain', ''),
      '/forum': (_req, res) => send(res, 200, 'text/html', listingPage([
        { href: '/t/big', title: 'big', replies: 0, last: 'just now' },
        { href: '/t/gone', title: 'gone', replies: 0, last: 'just now' },
        { href: '/t/ok', title: 'ok', replies: 0, last: 'just now' },
      ])),
      '/t/big': (_req, res) => {
        // Chunked: the size is only known while reading.
        res.writeHead(200, { 'content-type': 'text/html' });
        for (let i = 0; i < 4; i++) res.write(`<p>${'x'.repeat(40_000)}</p>`);
        res.end();
      },
      '/t/gone': (_req, res) => send(res, 404, 'text/html', 'gone'),
      '/t/ok': (_req, res) => send(res, 200, 'text/html', threadPage('ok', [{ id: 'ok1', author: 'o', date: 'just now', body: 'fine' }])),
    });
    try {
      const source = webSource(forumConfig(site.url), { now: () => NOW1 });
      const { items, warnings } = await source.runFrom({ signal: new AbortController().signal, checkpoint: null });
      expect(view(items).map((i) => i.id)).toEqual(['ok1']);
      expect(warnings).toHaveLength(2);
      expect(warnings!.join('\n')).toMatch(/\/t\/big.*larger than the 65536-byte limit/);
      expect(warnings!.join('\n')).toMatch(/\/t\/gone answered 404/);
      // Neither is asked for twice: asking again would not change the answer.
      const paths = site.requests.map((r) => r.path);
      expect(paths.filter((p) => p === '/t/big')).toHaveLength(1);
      expect(paths.filter((p) => p === '/t/gone')).toHaveLength(1);
    } finally {
      await site.close();
    }
  });

  test('a robots.txt that cannot be read stops the crawl of that host with a warning', async () => {
    const down = await fixtureServer({ '/robots.txt': (_req, res) => send(res, 500, 'text/plain', 'down'), '/forum': (_req, res) => send(res, 200, 'text/html', listingPage([])) });
    try {
      const source = webSource(forumConfig(down.url, { retries: 0 }), { now: () => NOW1 });
      const { items, warnings } = await source.runFrom({ signal: new AbortController().signal, checkpoint: null });
      expect(items).toEqual([]);
      expect(warnings!.join('\n')).toMatch(/robots\.txt unreachable/);
      expect(down.requests.map((r) => r.path)).toEqual(['/robots.txt']);
    } finally {
      await down.close();
    }
  });
});

describe('web source options', () => {
  test('invalid profiles are refused with the field named', () => {
    const bad = (options: Record<string, unknown>) => () => webOptions(SourceConfig.parse({ id: 'x', kind: 'web', options }));
    expect(bad({ startUrls: [] })).toThrow(ConfigError);
    const details = (options: Record<string, unknown>) => {
      try {
        bad(options)();
      } catch (err) {
        return (err as ConfigError).details.map((d) => `${d.path}: ${d.message}`);
      }
      return [];
    };
    expect(details({ startUrls: ['https://example.org/'] })).toEqual(['sources.x.options.thread: required when extract is "selectors": say where posts are on a thread page']);
    expect(details({ startUrls: ['https://example.org/'], extract: 'jsonld', waitFor: '.post' })).toEqual(['sources.x.options.waitFor: only used with render "playwright"']);
    expect(bad({ startUrls: ['https://example.org/'], extract: 'jsonld', timeZone: 'Mars/Base' })).toThrow(ConfigError);
    expect(bad({ profile: 'nope', startUrls: ['https://example.org/'] })).toThrow(/unknown web profile "nope"/);
    expect(details({ startUrls: ['ftp://example.org/'], extract: 'jsonld' })).toEqual(['sources.x.options.startUrls[0]: expected an http(s) URL']);
    const ok = webOptions(SourceConfig.parse({ id: 'x', kind: 'web', options: { startUrls: ['https://example.org/'], extract: 'jsonld' } }));
    expect(ok).toMatchObject({ respectRobotsTxt: true, maxConcurrency: 1, maxRequestsPerMinute: 60, render: 'cheerio', timeZone: 'UTC' });
    expect(userAgent('mailto:ops@example.org')).toMatch(/^allears\/\S+ \(\+mailto:ops@example\.org\)$/);
  });
});

describe('schema.org microdata', () => {
  test('reviews with ratings and nested comments are read from itemprops', () => {
    const $ = parseHtml(`<div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Kettle</h1>
      <div itemprop="review" itemscope itemtype="https://schema.org/Review" itemid="r1">
        <span itemprop="author" itemscope itemtype="https://schema.org/Person"><a itemprop="url" href="/u/ann"><span itemprop="name">Ann</span></a></span>
        <meta itemprop="datePublished" content="2025-05-02">
        <div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating"><meta itemprop="ratingValue" content="2"></div>
        <p itemprop="reviewBody">Leaks after a week.</p>
        <div itemprop="comment" itemscope itemtype="https://schema.org/Comment">
          <meta itemprop="identifier" content="c1"><span itemprop="author">Shop</span>
          <time itemprop="dateCreated" datetime="2025-05-03T10:00:00Z">May 3</time><span itemprop="text">Sorry, please contact us.</span>
        </div>
      </div></div>`);
    const posts = readSchemaOrgPosts(microdataNodes($), 'https://shop.example/kettle');
    expect(posts).toEqual([
      { id: 'r1', derivedId: false, parentId: undefined, author: { name: 'Ann', url: 'https://shop.example/u/ann' }, date: '2025-05-02', body: 'Leaks after a week.', title: undefined, replyCount: undefined, rating: 2, dimensions: {} },
      { id: 'c1', derivedId: false, parentId: 'r1', author: { name: 'Shop' }, date: '2025-05-03T10:00:00Z', body: 'Sorry, please contact us.', title: undefined, replyCount: undefined, rating: undefined, dimensions: {} },
    ]);
  });
});

describe('黑猫投诉 profile', () => {
  test('a complaint page becomes one item with object, demands, status, amount and its timeline', async () => {
    const page = readFileSync(new URL('../../fixtures/web/heimao-complaint.html', import.meta.url), 'utf8');
    const site = await fixtureServer({
      '/robots.txt': (_req, res) => send(res, 404, 'text/plain', ''),
      '/complaint/view/20250000001/': (_req, res) => send(res, 200, 'text/html; charset=utf-8', page),
    });
    try {
      const url = `${site.url}/complaint/view/20250000001/`;
      const source = webSource(SourceConfig.parse({ id: 'heimao', kind: 'web', options: { profile: 'heimao', startUrls: [url], backoffMs: 0 } }), { now: () => new Date('2025-11-26T04:00:00Z') });
      const { items, warnings } = await source.runFrom({ signal: new AbortController().signal, checkpoint: null });
      expect(warnings).toEqual([]);
      expect(items).toHaveLength(1);
      const item = RawItem.parse(items[0]);
      expect(item).toMatchObject({
        source: { id: 'heimao', kind: 'web' },
        channel: 'complaint',
        externalId: '20250000001',
        title: '关于某*贷App重复扣款和高额服务费的投诉',
        text: '本人于2025年8月在该平台借款5000元分6期，每期另收服务费65.50元。\n\n11月同一期被重复扣款两次，客服至今未处理，要求退还重复扣款和服务费。',
        publishedAt: '2025-11-23T02:12:00.000Z',
        author: { name: '消费者甲' },
        url,
      });
      expect(item.dimensions).toEqual({
        complaint_object: '某*贷App',
        issue: '重复扣款，乱收费',
        demands: '退还重复扣款，退服务费',
        amount: '5000元',
        status: '处理中',
        lang: 'zh',
        timeline_steps: '3',
        last_update: '2025-11-25T08:45:00.000Z',
      });
      expect((item.raw as { timeline: unknown[] }).timeline).toEqual([
        { at: '2025-11-23T02:12:00.000Z', date: '2025-11-23 10:12', actor: '消费者甲', step: '发起投诉', text: expect.stringContaining('借款5000元分6期') },
        { at: '2025-11-24T01:00:00.000Z', date: '2025-11-24 09:00', actor: '黑猫投诉', step: '投诉已分配', text: '您的投诉已分配给商家处理。' },
        { at: '2025-11-25T08:45:00.000Z', date: '昨天 16:45', actor: '某*贷App', step: '商家已回复', text: '您好，已安排专员联系您核实处理。' },
      ]);
    } finally {
      await site.close();
    }
  });
});
