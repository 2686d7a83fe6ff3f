/**
 * bench:crawl — web crawler throughput on local forums: a 5,000-page static forum read by crawlee's
 * CheerioCrawler, and a forum whose posts are rendered by JavaScript read by PlaywrightCrawler
 * (the system's Chromium). Politeness limits are lifted for localhost; the forum is served by a child
 * process so it does not share the crawler's event loop. Median of 3 runs each, with peak RSS and the
 * machine's load average (a busy host slows both, Chromium most).
 *
 *   npm run bench:crawl -- [--pages 5000] [--js-pages 200] [--runs 3] [--concurrency 16] [--js-concurrency 4]
 *                          [--items 50000] [--rounds 5]   (the connectors' parsers, run after the crawlers)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { SourceConfig } from '../config/schema.ts';
import { webSource } from '../crawlers/web/source.ts';
import { arg, median, peakRssMb, report } from './report.ts';

const POSTS_PER_THREAD = 5;
const THREADS_PER_LISTING = 49;

// ---- the forum server (child process) -------------------------------------------------------

function forumHtml(path: string, query: URLSearchParams, pages: number, js: boolean): { type: string; body: string; cache?: boolean } | null {
  const listings = Math.ceil(pages / (THREADS_PER_LISTING + 1));
  const page = (title: string, body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
  if (path === '/robots.txt') return { type: 'text/plain', body: 'User-agent: *\nAllow: /\n' };
  if (path === '/forum') {
    const n = Number(query.get('page') ?? '1');
    if (!(n >= 1 && n <= listings)) return null;
    const rows: string[] = [];
    for (let i = 0; i < THREADS_PER_LISTING; i++) {
      const id = (n - 1) * THREADS_PER_LISTING + i + 1;
      rows.push(`<tr class="thread"><td><a class="t" href="/t/${id}">Thread ${id}</a></td><td class="replies">${POSTS_PER_THREAD - 1}</td><td class="last">${id % 2 ? '3 hours ago' : '3小时前'}</td></tr>`);
    }
    const next = n < listings ? `<a class="next" href="/forum?page=${n + 1}">next</a>` : '';
    return { type: 'text/html; charset=utf-8', body: page(`Forum page ${n}`, `<table>${rows.join('')}</table>${next}`) };
  }
  const m = /^\/t\/(\d+)$/.exec(path);
  if (m) {
    const id = Number(m[1]);
    if (js) return { type: 'text/html; charset=utf-8', body: page(`Thread ${id}`, `<div id="app"></div><script src="/app.js"></script>`) };
    const posts: string[] = [];
    for (let p = 0; p < POSTS_PER_THREAD; p++) {
      const zh = (id + p) % 2 === 0;
      posts.push(`<div class="post" data-id="t${id}p${p}"><a class="author" href="/u/${p}">user${p}</a><span class="date">${zh ? `${p + 1}小时前` : `${p + 1} hours ago`}</span>`
        + `<div class="body"><p>${zh ? '退款申请提交两周了，客服一直没有回复，订单号' : 'Checkout failed twice and support has not answered, order'} ${id}-${p}.</p><p>${'Lorem ipsum dolor sit amet. '.repeat(8)}</p></div></div>`);
    }
    return { type: 'text/html; charset=utf-8', body: page(`Thread ${id}`, posts.join('')) };
  }
  if (js && path === '/app.js') {
    // Cacheable, as a site's scripts are: the browser fetches it once per run.
    return {
      type: 'text/javascript',
      cache: true,
      body: `const id = location.pathname.split('/').pop();
const app = document.getElementById('app');
for (let p = 0; p < ${POSTS_PER_THREAD}; p++) {
  const el = document.createElement('div');
  el.className = 'post'; el.dataset.id = 't' + id + 'p' + p;
  el.innerHTML = '<a class="author" href="/u/' + p + '">user' + p + '</a><span class="date">' + (p + 1) + ' hours ago</span><div class="body"><p>Rendered post ' + p + ' of thread ' + id + '.</p></div>';
  app.appendChild(el);
}`,
    };
  }
  return null;
}

if (process.argv[2] === '--serve') {
  const pages = Number(process.argv[3]);
  const js = process.argv[4] === 'js';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const found = forumHtml(url.pathname, url.searchParams, pages, js);
    if (!found) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    else res.writeHead(200, { 'content-type': found.type, ...(found.cache ? { 'cache-control': 'max-age=3600' } : {}) }).end(found.body);
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
} else {
  await main();
  // Then each connector's parser (items/s), as bench/connectors.ts prints it.
  await import('./connectors.ts');
}

async function serve(pages: number, js: boolean): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(pages), js ? 'js' : 'static'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`forum server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function crawlOnce(base: string, pages: number, render: 'cheerio' | 'playwright', concurrency: number) {
  const config = SourceConfig.parse({
    id: `bench-${render}`,
    kind: 'web',
    options: {
      startUrls: [`${base}/forum`],
      render,
      ...(render === 'playwright' ? { waitFor: 'div.post' } : {}),
      timeZone: 'Asia/Shanghai',
      maxConcurrency: concurrency,
      maxRequestsPerMinute: 1_000_000,
      maxPages: pages + 10,
      backoffMs: 0,
      listing: { row: 'tr.thread', threadLink: 'a.t', replyCount: 'td.replies', lastPost: 'td.last', nextPage: 'a.next' },
      thread: { post: 'div.post', id: '@data-id', author: 'a.author', authorLink: 'a.author@href', date: 'span.date', body: 'div.body', title: 'h1' },
    },
  });
  const t0 = performance.now();
  const { items, warnings, checkpoint } = await webSource(config).runFrom({ signal: new AbortController().signal, checkpoint: null });
  const seconds = (performance.now() - t0) / 1000;
  const threads = Object.keys((checkpoint as { threads: object }).threads).length;
  const listings = Math.ceil(pages / (THREADS_PER_LISTING + 1));
  const fetched = threads + listings;
  if (warnings?.length) process.stderr.write(`  warnings: ${warnings.slice(0, 3).join(' | ')}${warnings.length > 3 ? ` (+${warnings.length - 3})` : ''}\n`);
  return { seconds, pages: fetched, items: items.length };
}

async function bench(label: string, pages: number, render: 'cheerio' | 'playwright', concurrency: number, runs: number) {
  const { url, child } = await serve(pages, render === 'playwright');
  try {
    const results = [];
    for (let r = 0; r < runs; r++) {
      const res = await crawlOnce(url, pages, render, concurrency);
      process.stderr.write(`${label} run ${r + 1}: ${res.pages} pages, ${res.items} items in ${res.seconds.toFixed(2)} s → ${(res.pages / res.seconds).toFixed(1)} pages/s\n`);
      results.push(res);
    }
    return {
      pages: results[0]!.pages,
      items: results[0]!.items,
      pagesPerSecond: median(results.map((r) => r.pages / r.seconds)),
      itemsPerSecond: median(results.map((r) => r.items / r.seconds)),
      seconds: median(results.map((r) => r.seconds)),
    };
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  const PAGES = arg('pages', 5_000);
  const JS_PAGES = arg('js-pages', 200);
  const RUNS = arg('runs', 3);
  const CONCURRENCY = arg('concurrency', 16);
  const JS_CONCURRENCY = arg('js-concurrency', 4);

  const loadAtStart = loadavg()[0]!;
  const cheerio = await bench('cheerio', PAGES, 'cheerio', CONCURRENCY, RUNS);
  const rssAfterCheerio = peakRssMb();
  const chromium = process.env.ALLEARS_CHROMIUM_PATH ?? '/usr/bin/chromium';
  const playwright = JS_PAGES > 0 && existsSync(chromium) ? await bench('playwright', JS_PAGES, 'playwright', JS_CONCURRENCY, RUNS) : null;
  if (!playwright && JS_PAGES > 0) process.stderr.write(`playwright: skipped, no Chromium at ${chromium}\n`);

  report('crawl', [
    ['cheerio pages', cheerio.pages],
    ['cheerio items', cheerio.items],
    ['cheerio concurrency', CONCURRENCY],
    ['cheerio pages/s (median)', Math.round(cheerio.pagesPerSecond), 'bar ≥ 100'],
    ['cheerio items/s (median)', Math.round(cheerio.itemsPerSecond)],
    ['cheerio peak RSS MB', rssAfterCheerio],
    ['playwright pages', playwright?.pages ?? 'skipped'],
    ['playwright items', playwright?.items ?? 'skipped'],
    ['playwright concurrency', JS_CONCURRENCY],
    ['playwright pages/s (median)', playwright ? Number(playwright.pagesPerSecond.toFixed(1)) : 'skipped', 'bar ≥ 5'],
    ['playwright items/s (median)', playwright ? Math.round(playwright.itemsPerSecond) : 'skipped'],
    ['peak RSS MB (crawler process, Chromium not included)', peakRssMb()],
    ['load average (1 min) at start / end', `${loadAtStart.toFixed(1)} / ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`],
  ], { runs: RUNS });
}
