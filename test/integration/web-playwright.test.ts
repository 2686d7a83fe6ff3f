import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SourceConfig } from '../../config/schema.ts';
import type { RawItemInput } from '../../model/index.ts';
import { webSource } from '../../crawlers/web/source.ts';
import { fixtureServer, send, type FixtureServer } from '../helpers/fixture-server.ts';

const CHROMIUM = process.env.ALLEARS_CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === 'true') throw new Error(`Chromium not found at ${CHROMIUM}; CI must provide it`);
if (!available) console.warn(`web-playwright: skipped, no Chromium at ${CHROMIUM} (set ALLEARS_CHROMIUM_PATH)`);

// The page ships no posts: a script fetches them as JSON and writes them into the page.
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Support forum</title></head>
<body><h1>Delivery was late</h1><div id="app">Loading…</div>
<script src="/app.js"></script></body></html>`;
const APP = `
fetch('/api/posts').then((r) => r.json()).then((posts) => {
  const app = document.getElementById('app');
  app.textContent = '';
  for (const p of posts) {
    const el = document.createElement('div');
    el.className = 'post';
    el.dataset.id = p.id;
    el.innerHTML = '<span class="author"></span><span class="date"></span><div class="body"></div>';
    el.querySelector('.author').textContent = p.author;
    el.querySelector('.date').textContent = p.date;
    el.querySelector('.body').textContent = p.body;
    app.appendChild(el);
  }
});`;
const POSTS = [
  { id: 'j1', author: 'amy', date: '2025-06-01 09:00', body: 'My parcel arrived a week late.' },
  { id: 'j2', author: '李雷', date: '昨天 14:02', body: '我的快递也晚了三天。' },
];

describe.skipIf(!available)('web source with render "playwright"', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await fixtureServer({
      '/robots.txt': (_req, res) => send(res, 200, 'text/plain', 'User-agent: *\nAllow: /\n'),
      '/thread/1': (_req, res) => send(res, 200, 'text/html; charset=utf-8', PAGE),
      '/app.js': (_req, res) => send(res, 200, 'text/javascript', APP),
      '/api/posts': (_req, res) => send(res, 200, 'application/json', JSON.stringify(POSTS)),
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const config = (render: 'cheerio' | 'playwright') => SourceConfig.parse({
    id: 'js-forum',
    kind: 'web',
    options: {
      startUrls: [`${server.url}/thread/1`],
      render,
      ...(render === 'playwright' ? { waitFor: 'div.post', chromiumPath: CHROMIUM } : {}),
      timeZone: 'Asia/Shanghai',
      maxRequestsPerMinute: 10_000,
      thread: { post: 'div.post', id: '@data-id', author: '.author', date: '.date', body: '.body', title: 'h1' },
    },
  });
  const now = () => new Date('2025-06-15T02:30:00Z');

  test('the HTML alone holds no posts', async () => {
    const { items, warnings } = await webSource(config('cheerio'), { now }).runFrom({ signal: new AbortController().signal, checkpoint: null });
    expect(items).toEqual([]);
    expect(warnings!.join('\n')).toMatch(/no posts found/);
  });

  test('Chromium runs the page script and the posts are read from the rendered page', async () => {
    server.requests.length = 0;
    const { items, warnings } = await webSource(config('playwright'), { now }).runFrom({ signal: new AbortController().signal, checkpoint: null });
    expect(warnings).toEqual([]);
    expect((items as RawItemInput[]).map((i) => [i.externalId, i.author?.name, i.publishedAt, i.text, i.title])).toEqual([
      ['j1', 'amy', '2025-06-01T01:00:00.000Z', 'My parcel arrived a week late.', 'Delivery was late'],
      ['j2', '李雷', '2025-06-14T06:02:00.000Z', '我的快递也晚了三天。', 'Delivery was late'],
    ]);
    // The browser asked for the page once, then for its script and data; robots.txt was read once.
    const paths = server.requests.map((r) => r.path);
    expect(paths.filter((p) => p === '/thread/1')).toHaveLength(1);
    expect(paths.filter((p) => p === '/robots.txt')).toHaveLength(1);
    expect(paths).toContain('/app.js');
    expect(paths).toContain('/api/posts');
    for (const r of server.requests) expect(r.headers['user-agent']).toMatch(/^allears\//);
  }, 60_000);
});
