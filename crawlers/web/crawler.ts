import { BasicCrawler, Configuration, Log, LogLevel } from '@crawlee/cheerio';
import robotsParserModule from 'robots-parser';
import type { CheerioAPI } from 'cheerio';
import { AllearsError } from '../../model/errors.ts';
import { HttpError, politeGet, USER_AGENT, type FetchOptions } from '../http.ts';
import { parseHtml } from './extract.ts';
import type { WebOptions } from './profile.ts';
import { Renderer } from './render.ts';

/** A page to visit and what it is for: a listing of threads, or one page of a thread. */
export interface PageTask {
  url: string;
  kind: 'listing' | 'thread';
  /** Thread pages: the thread they belong to (its first page's URL). */
  thread?: string;
}

export interface FetchedPage {
  url: string;
  /** Where the body came from after redirects. */
  finalUrl: string;
  $: CheerioAPI;
}

/** Called for each page read; returns the pages to visit next. Thrown errors become warnings for that page. */
export type PageHandler = (task: PageTask, page: FetchedPage) => PageTask[];

export interface CrawlOutcome {
  pages: number;
  warnings: string[];
  /** Pages not visited because the page budget was spent. */
  leftOver: PageTask[];
  /** Pages that failed (their error is in `warnings`). */
  failed: PageTask[];
}

export interface CrawlDeps {
  /** Extra fetch settings (tests shorten backoffs here). */
  http?: Partial<FetchOptions>;
  env?: NodeJS.ProcessEnv;
}

const TOKEN = 'allears';

/** robots-parser is CommonJS whose `module.exports` is the parse function; its typings describe it as ESM. */
type RobotsParse = (url: string, contents: string) => { isAllowed(url: string, ua?: string): boolean | undefined; getCrawlDelay(ua?: string): number | undefined };
const robotsParser = robotsParserModule as unknown as RobotsParse;

/** `allears/<version> (+contact)`: who is reading, and where to write about it. */
export function userAgent(contact: string | undefined): string {
  const product = USER_AGENT.split(' ')[0]!;
  return contact ? `${product} (+${contact})` : USER_AGENT;
}

const HTML_TYPES = new Set(['', 'text/html', 'application/xhtml+xml']);

/**
 * Visit pages starting from `start`, through crawlee's request queue and autoscaled pool, holding
 * every storage in memory. Fetching goes through `politeGet` (honest user agent, Retry-After, size,
 * redirect and content-type limits); robots.txt is read once per host. A page that fails is reported
 * in `warnings` and the crawl goes on: what was read before is kept.
 */
export async function crawl(opts: WebOptions, start: PageTask[], handle: PageHandler, signal: AbortSignal, deps: CrawlDeps = {}): Promise<CrawlOutcome> {
  const warnings: string[] = [];
  const leftOver: PageTask[] = [];
  const failed: PageTask[] = [];
  const ua = userAgent(opts.contact);
  const hosts = new Set(opts.startUrls.map((u) => new URL(u).host));
  const fetchOpts: FetchOptions = {
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    backoffMs: opts.backoffMs,
    maxRetryWaitMs: opts.maxRetryWaitMs,
    maxBytes: opts.maxPageBytes,
    ...deps.http,
    headers: { 'user-agent': ua, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1', ...deps.http?.headers },
    signal,
  };

  const robots = new Map<string, Promise<Robots>>();
  const robotsFor = (url: string): Promise<Robots> => {
    const origin = new URL(url).origin;
    let r = robots.get(origin);
    if (!r) {
      r = loadRobots(origin, fetchOpts, ua, warnings);
      robots.set(origin, r);
    }
    return r;
  };

  let perMinute = opts.maxRequestsPerMinute;
  if (opts.respectRobotsTxt) {
    // Read before the crawl starts, so a Crawl-delay can slow the whole run down.
    for (const origin of new Set(opts.startUrls.map((u) => new URL(u).origin))) {
      const delay = (await robotsFor(origin)).crawlDelay;
      if (delay && delay > 0) perMinute = Math.max(1, Math.min(perMinute, Math.floor(60 / delay)));
    }
  }

  const renderer = opts.render === 'playwright'
    ? new Renderer({ executablePath: opts.chromiumPath ?? deps.env?.ALLEARS_CHROMIUM_PATH ?? process.env.ALLEARS_CHROMIUM_PATH ?? '/usr/bin/chromium', userAgent: ua })
    : null;

  const config = new Configuration({
    persistStorage: false,
    purgeOnStart: false,
    // A configuration of its own per run: crawlee then gives it a fresh in-memory storage client, shared with nobody.
    storageClientOptions: { persistStorage: false, writeMetadata: false },
    // Autoscaling watches CPU and memory of the whole machine: on a small host busy with other work it would
    // throttle the crawl far below the politeness limits; those limits (and maxConcurrency) are the only brakes.
    availableMemoryRatio: 1,
  });
  let pages = 0;
  let budgetWarned = false;
  let browserMissing = false;
  const crawler = new BasicCrawler({
    maxConcurrency: opts.maxConcurrency,
    minConcurrency: opts.maxConcurrency,
    maxRequestsPerMinute: perMinute,
    // politeGet retries with backoff and Retry-After; crawlee must not retry on top of it.
    maxRequestRetries: 0,
    useSessionPool: false,
    requestHandlerTimeoutSecs: Math.ceil(((opts.timeoutMs + opts.maxRetryWaitMs) * (opts.retries + 1) + opts.waitTimeoutMs * 2) / 1000) + 30,
    log: new Log({ level: LogLevel.OFF }),
    statusMessageLoggingInterval: 3600,
    autoscaledPoolOptions: {
      desiredConcurrency: opts.maxConcurrency,
      maybeRunIntervalSecs: 0.05,
      systemStatusOptions: { maxCpuOverloadedRatio: 1, maxMemoryOverloadedRatio: 1, maxEventLoopOverloadedRatio: 1, maxClientOverloadedRatio: 1 },
    },
    requestHandler: async ({ request }) => {
      const task = request.userData as PageTask;
      if (signal.aborted) return;
      if (pages >= opts.maxPages) {
        leftOver.push(task);
        if (!budgetWarned) warnings.push(`page budget (${opts.maxPages}) spent; the rest is left for the next runs`);
        budgetWarned = true;
        return;
      }
      if (opts.respectRobotsTxt && !(await robotsFor(task.url)).allows(task.url)) {
        warnings.push(`robots.txt disallows ${task.url}; skipped`);
        return;
      }
      pages++;
      let page: FetchedPage;
      try {
        const body = await politeGet(task.url, { ...fetchOpts, accept: (t) => HTML_TYPES.has(t), expected: 'an HTML page' });
        const html = decode(body.bytes, body.contentType);
        const rendered = renderer ? await renderer.render(body.url, html, task.kind === 'listing' ? opts.listing?.waitFor : opts.waitFor, opts.waitTimeoutMs) : html;
        page = { url: task.url, finalUrl: body.url, $: parseHtml(rendered) };
      } catch (err) {
        if (signal.aborted) return;
        failed.push(task);
        if (err instanceof AllearsError && err.code === 'chromium_unavailable') {
          // Every other page would fail the same way: say it once and end the run.
          if (!browserMissing) warnings.push(err.message);
          browserMissing = true;
          crawler.stop();
          return;
        }
        warnings.push(describeError(err, task.url));
        return;
      }
      let next: PageTask[];
      try {
        next = handle(task, page);
      } catch (err) {
        failed.push(task);
        warnings.push(`${task.url}: ${(err as Error).message}`);
        return;
      }
      const follow = next.filter((t) => !opts.sameHost || hosts.has(new URL(t.url).host));
      if (follow.length) await crawler.addRequests(follow.map((t) => ({ url: t.url, uniqueKey: `${t.kind} ${t.url}`, userData: t })));
    },
    failedRequestHandler: async ({ request }, err) => {
      failed.push(request.userData as PageTask);
      warnings.push(describeError(err, request.url));
    },
  }, config);

  const onAbort = () => void crawler.teardown().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await crawler.run(start.map((t) => ({ url: t.url, uniqueKey: `${t.kind} ${t.url}`, userData: t })));
  } finally {
    signal.removeEventListener('abort', onAbort);
    await renderer?.close();
  }
  signal.throwIfAborted();
  return { pages, warnings, leftOver, failed };
}

function decode(bytes: Buffer, contentType: string): string {
  const charset = /charset=["']?([\w-]+)/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      // An unknown charset: read as UTF-8 rather than give up on the page.
    }
  }
  return bytes.toString('utf8');
}

function describeError(err: unknown, url: string): string {
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  // politeGet's messages already name the URL.
  return message.includes(url) ? message : `${url}: ${message}`;
}

interface Robots {
  allows(url: string): boolean;
  crawlDelay?: number;
}

/**
 * robots.txt as RFC 9309 reads it: missing (4xx) allows everything; unreachable (5xx, network) allows nothing.
 */
async function loadRobots(origin: string, fetchOpts: FetchOptions, ua: string, warnings: string[]): Promise<Robots> {
  const url = `${origin}/robots.txt`;
  try {
    const body = await politeGet(url, { ...fetchOpts, accept: () => true, maxBytes: 512 * 1024, headers: { ...fetchOpts.headers, accept: 'text/plain,*/*' } });
    const robot = robotsParser(url, body.bytes.toString('utf8'));
    return {
      allows: (u) => robot.isAllowed(u, TOKEN) !== false && robot.isAllowed(u, ua) !== false,
      crawlDelay: robot.getCrawlDelay(TOKEN),
    };
  } catch (err) {
    fetchOpts.signal?.throwIfAborted();
    const status = (err as HttpError).httpStatus;
    if (err instanceof HttpError && status !== undefined && status >= 400 && status < 500) return { allows: () => true };
    warnings.push(`${url} unreachable (${(err as Error).message}); nothing on ${origin} is crawled this run`);
    return { allows: () => false };
  }
}
