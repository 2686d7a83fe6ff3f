import { CheerioCrawler, Configuration, Log, LogLevel, type CheerioCrawlingContext, type Request } from '@crawlee/cheerio';
import { PlaywrightCrawler, type PlaywrightCrawlingContext } from '@crawlee/playwright';
import { setMaxListeners } from 'node:events';
import robotsParserModule from 'robots-parser';
import type { CheerioAPI } from 'cheerio';
import { AllearsError } from '../../model/errors.ts';
import { HttpError, HttpTransientError, parseRetryAfter, politeGet, RETRY_STATUSES, USER_AGENT, type FetchOptions } from '../http.ts';
import { parseHtml } from './extract.ts';
import type { WebOptions } from './profile.ts';
import { browserOptions, checkChromium, chromiumPath, chromiumUnavailable, isLaunchError } from './render.ts';

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
  /** Extra fetch settings for robots.txt, and extra request headers for pages. */
  http?: Partial<FetchOptions>;
  env?: NodeJS.ProcessEnv;
}

const TOKEN = 'allears';
const MAX_REDIRECTS = 5;

/** robots-parser is CommonJS whose `module.exports` is the parse function; its typings describe it as ESM. */
type RobotsParse = (url: string, contents: string) => { isAllowed(url: string, ua?: string): boolean | undefined; getCrawlDelay(ua?: string): number | undefined };
const robotsParser = robotsParserModule as unknown as RobotsParse;

/** `allears/<version> (+contact)`: who is reading, and where to write about it. */
export function userAgent(contact: string | undefined): string {
  const product = USER_AGENT.split(' ')[0]!;
  return contact ? `${product} (+${contact})` : USER_AGENT;
}

const HTML_TYPES = new Set(['', 'text/html', 'application/xhtml+xml']);

/** A busy or rate-limited answer; `retryAfterMs` is the server's Retry-After when it sent one. */
class RetryLater extends HttpTransientError {
  constructor(message: string, url: string, status: number, readonly retryAfterMs: number | undefined) {
    super(message, url, status);
  }
}

/**
 * Visit pages starting from `start` on crawlee: CheerioCrawler for server-rendered pages,
 * PlaywrightCrawler (the system's Chromium through playwright-core) for pages that need their scripts.
 * Every storage is held in memory. Politeness is the same for both: honest user agent and no
 * fingerprints, robots.txt read once per host, Crawl-delay, concurrency and requests-per-minute
 * limits, retries with backoff honouring Retry-After, size, redirect and content-type limits.
 * A page that fails is reported in `warnings` and the crawl goes on: what was read before is kept.
 */
export async function crawl(opts: WebOptions, start: PageTask[], handle: PageHandler, signal: AbortSignal, deps: CrawlDeps = {}): Promise<CrawlOutcome> {
  signal.throwIfAborted();
  const warnings: string[] = [];
  const leftOver: PageTask[] = [];
  const failed: PageTask[] = [];
  const ua = userAgent(opts.contact);
  const hosts = new Set(opts.startUrls.map((u) => new URL(u).host));
  const headers: Record<string, string> = { 'user-agent': ua, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1', ...deps.http?.headers };

  const executablePath = opts.render === 'playwright' ? chromiumPath(opts.chromiumPath, deps.env) : null;
  if (executablePath !== null) {
    try {
      await checkChromium(executablePath);
    } catch (err) {
      // Every page would fail the same way: say it once and read nothing.
      warnings.push((err as Error).message);
      return { pages: 0, warnings, leftOver: [], failed: start };
    }
  }

  const robotsFetch: FetchOptions = {
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    backoffMs: opts.backoffMs,
    maxRetryWaitMs: opts.maxRetryWaitMs,
    ...deps.http,
    headers,
    signal,
  };
  const robots = new Map<string, Promise<Robots>>();
  const robotsFor = (url: string): Promise<Robots> => {
    const origin = new URL(url).origin;
    let r = robots.get(origin);
    if (!r) {
      r = loadRobots(origin, robotsFetch, ua, warnings);
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

  /** Pages robots.txt allows; the others are reported once and never requested. */
  const refused = new Set<string>();
  const allowed = async (tasks: PageTask[]): Promise<PageTask[]> => {
    if (!opts.respectRobotsTxt) return tasks;
    const out: PageTask[] = [];
    for (const t of tasks) {
      if ((await robotsFor(t.url)).allows(t.url)) out.push(t);
      else if (!refused.has(t.url)) {
        refused.add(t.url);
        warnings.push(`robots.txt disallows ${t.url}; skipped`);
      }
    }
    return out;
  };
  /** Tasks by URL, to name the pages crawlee leaves out once the page budget (`maxRequestsPerCrawl`) is spent. */
  const tasks = new Map<string, PageTask>();
  const toRequests = (list: PageTask[]) => list.map((t) => {
    tasks.set(t.url, t);
    return { url: t.url, uniqueKey: `${t.kind} ${t.url}`, userData: t };
  });

  let pages = 0;
  let budgetWarned = false;
  let browserMissing = false;

  /** Reads a page and queues the pages it leads to; a handler error is that page's warning. */
  const read = async (request: Request, $: CheerioAPI, finalUrl: string) => {
    const task = request.userData as PageTask;
    pages++;
    let next: PageTask[];
    try {
      next = handle(task, { url: task.url, finalUrl, $ });
    } catch (err) {
      failed.push(task);
      warnings.push(`${task.url}: ${(err as Error).message}`);
      return;
    }
    const follow = await allowed(next.filter((t) => !opts.sameHost || hosts.has(new URL(t.url).host)));
    if (follow.length) await crawler.addRequests(toRequests(follow), { waitBetweenBatchesMillis: 0 });
  };

  // In-flight requests are cancelled with the run; each holds a listener on this signal while it lasts.
  const inFlight = new AbortController();
  setMaxListeners(0, inFlight.signal);

  const timeoutSecs = Math.ceil(opts.timeoutMs / 1000);
  const common = {
    maxConcurrency: opts.maxConcurrency,
    minConcurrency: opts.maxConcurrency,
    maxRequestsPerMinute: perMinute,
    maxRequestsPerCrawl: opts.maxPages,
    maxRequestRetries: opts.retries,
    // No sessions: a 429 is waited out (Retry-After), never answered by changing identity.
    useSessionPool: false,
    retryOnBlocked: false,
    navigationTimeoutSecs: timeoutSecs,
    // Room for waiting on the page's scripts; the error handler's Retry-After wait runs under twice this.
    requestHandlerTimeoutSecs: Math.ceil((opts.maxRetryWaitMs + opts.waitTimeoutMs * 2) / 1000) + 30,
    log: new Log({ level: LogLevel.OFF }),
    statusMessageLoggingInterval: 3600,
    autoscaledPoolOptions: {
      desiredConcurrency: opts.maxConcurrency,
      maybeRunIntervalSecs: 0.05,
      // Autoscaling watches CPU and memory of the whole machine: on a small host busy with other work it would
      // throttle the crawl far below the politeness limits; those limits (and maxConcurrency) are the only brakes.
      systemStatusOptions: { maxCpuOverloadedRatio: 1, maxMemoryOverloadedRatio: 1, maxEventLoopOverloadedRatio: 1, maxClientOverloadedRatio: 1 },
    },
    onSkippedRequest: ({ url, reason }: { url: string; reason: string }) => {
      if (reason !== 'limit') return;
      const task = tasks.get(url);
      if (task) leftOver.push(task);
      if (!budgetWarned) warnings.push(`page budget (${opts.maxPages}) spent; the rest is left for the next runs`);
      budgetWarned = true;
    },
    /** Before a retry: wait as the server asked (Retry-After) or back off exponentially; give up on what will not change. */
    errorHandler: async ({ request }: { request: Request }, err: Error) => {
      if (signal.aborted || !retryable(err)) {
        request.noRetry = true;
        return;
      }
      const wait = err instanceof RetryLater && err.retryAfterMs !== undefined ? err.retryAfterMs : opts.backoffMs * 2 ** request.retryCount;
      await pause(Math.min(wait, opts.maxRetryWaitMs), signal);
    },
    failedRequestHandler: ({ request }: { request: Request }, err: Error) => {
      if (signal.aborted) return;
      pages++;
      failed.push(request.userData as PageTask);
      if (executablePath !== null && isLaunchError(err)) {
        // Every other page would fail the same way: say it once and end the run.
        if (!browserMissing) warnings.push(chromiumUnavailable(executablePath, err).message);
        browserMissing = true;
        void crawler.stop();
        return;
      }
      warnings.push(describeFailure(err, request));
    },
  };

  const config = new Configuration({
    persistStorage: false,
    purgeOnStart: false,
    // A configuration of its own per run: crawlee then gives it a fresh in-memory storage client, shared with nobody.
    storageClientOptions: { persistStorage: false, writeMetadata: false },
    availableMemoryRatio: 1,
  });

  const crawler: CheerioCrawler | PlaywrightCrawler = executablePath === null
    ? new CheerioCrawler({
      ...common,
      ignoreSslErrors: false,
      // The content type is checked below, with the project's rules and messages.
      additionalMimeTypes: ['*/*'],
      preNavigationHooks: [(_ctx, gotOptions) => {
        gotOptions.headers = { ...gotOptions.headers, ...headers };
        // An honest request: no generated browser headers.
        Object.assign(gotOptions, { useHeaderGenerator: false, maxRedirects: MAX_REDIRECTS, signal: inFlight.signal });
      }],
      postNavigationHooks: [({ request, response }) => {
        const stream = response as unknown as NodeJS.ReadableStream & { destroy(err?: Error): void; statusCode: number; statusMessage?: string; url: string; headers: Record<string, string | string[] | undefined> };
        const header = (name: string) => {
          const v = stream.headers[name];
          return Array.isArray(v) ? v[0] : v;
        };
        try {
          checkAnswer(request.url, stream.url, stream.statusCode, stream.statusMessage ?? '', header, opts.maxPageBytes);
        } catch (err) {
          stream.destroy();
          throw err;
        }
        // got lets go of the run's abort signal only when its stream is destroyed.
        stream.once('end', () => stream.destroy());
        // A body without Content-Length is cut off as soon as it passes the limit.
        stream.on('downloadProgress', ({ transferred }: { transferred: number }) => {
          if (transferred > opts.maxPageBytes) stream.destroy(tooLarge(stream.url, opts.maxPageBytes, stream.statusCode));
        });
      }],
      requestHandler: async ({ request, $, body }: CheerioCrawlingContext) => {
        if (signal.aborted) return;
        // Without a content type crawlee hands over the bytes unparsed.
        const page$ = ($ as CheerioAPI | undefined) ?? parseHtml(Buffer.isBuffer(body) ? body.toString('utf8') : String(body));
        await read(request, page$, request.loadedUrl ?? request.url);
      },
    }, config)
    : new PlaywrightCrawler({
      ...common,
      ...browserOptions(executablePath, ua, opts.maxConcurrency),
      preNavigationHooks: [async ({ request, page }, gotoOptions) => {
        const task = request.userData as PageTask;
        if (gotoOptions) gotoOptions.waitUntil = (task.kind === 'listing' ? opts.listing?.waitFor : opts.waitFor) ? 'domcontentloaded' : 'load';
        if (deps.http?.headers) await page.setExtraHTTPHeaders(deps.http.headers);
      }],
      postNavigationHooks: [({ request, response }) => {
        if (!response) throw new HttpTransientError(`GET ${request.url}: the browser got no answer`, request.url);
        const answer = response.headers();
        checkAnswer(request.url, response.url(), response.status(), response.statusText(), (name) => answer[name], opts.maxPageBytes);
      }],
      requestHandler: async ({ request, page }: PlaywrightCrawlingContext) => {
        if (signal.aborted) return;
        const task = request.userData as PageTask;
        const waitFor = task.kind === 'listing' ? opts.listing?.waitFor : opts.waitFor;
        let html: string;
        try {
          if (waitFor) await page.waitForSelector(waitFor, { timeout: opts.waitTimeoutMs, state: 'attached' });
          html = await page.content();
          if (Buffer.byteLength(html) > opts.maxPageBytes) throw tooLarge(page.url(), opts.maxPageBytes);
        } catch (err) {
          if (signal.aborted) return;
          pages++;
          failed.push(task);
          warnings.push(describeError(err, task.url));
          return;
        }
        await read(request, parseHtml(html), page.url());
      },
    }, config);

  const onAbort = () => {
    inFlight.abort(signal.reason);
    void crawler.teardown().catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const first = await allowed(start);
    if (first.length) await crawler.run(toRequests(first), { waitBetweenBatchesMillis: 0 });
  } catch (err) {
    // crawlee ends the whole run when the browser cannot start: one warning, and what was read is kept.
    if (executablePath === null || !isLaunchError(err) || signal.aborted) throw err;
    if (!browserMissing) warnings.push(chromiumUnavailable(executablePath, err).message);
    browserMissing = true;
    await crawler.teardown().catch(() => undefined);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  signal.throwIfAborted();
  return { pages, warnings, leftOver, failed };
}

/** The answer's status, content type and declared size, judged before its body is read. */
function checkAnswer(url: string, finalUrl: string, status: number, statusText: string, header: (name: string) => string | undefined, maxBytes: number): void {
  if (status < 200 || status >= 300) {
    if (RETRY_STATUSES.has(status)) throw new RetryLater(`GET ${finalUrl} answered ${status}`, finalUrl, status, parseRetryAfter(header('retry-after') ?? null));
    throw new HttpError('http_status', `GET ${finalUrl} answered ${status} ${statusText}`.trim(), url, status);
  }
  const mediaType = (header('content-type') ?? '').toLowerCase().split(';')[0]!.trim();
  if (!HTML_TYPES.has(mediaType)) {
    throw new HttpError('http_content_type', `GET ${finalUrl} answered "${mediaType || 'no content type'}", expected an HTML page`, url, status);
  }
  const declared = Number(header('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(finalUrl, maxBytes, status);
}

function tooLarge(url: string, maxBytes: number, status?: number): HttpError {
  return new HttpError('http_too_large', `GET ${url}: the answer is larger than the ${maxBytes}-byte limit`, url, status);
}

/** got wraps an error a stream was destroyed with (the size limit) in its own RequestError. */
function unwrap(err: unknown): unknown {
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause instanceof AllearsError ? cause : err;
}

/** What asking again cannot change: a refusal, a wrong or oversized answer, a redirect loop, a missing browser. */
function retryable(error: unknown): boolean {
  const err = unwrap(error);
  if (err instanceof HttpTransientError) return true;
  if (err instanceof AllearsError) return false;
  return !isLaunchError(err) && redirectFailure(err, '') === null;
}

/** got gives up after MAX_REDIRECTS, Chromium after 20; a URL met twice on the way is a loop. */
function redirectFailure(err: unknown, url: string): string | null {
  const e = err as { name?: string; message?: string; response?: { redirectUrls?: Array<URL | string> } };
  if (e?.name === 'MaxRedirectsError') {
    const seen = new Set([url]);
    for (const u of e.response?.redirectUrls ?? []) {
      const href = String(u);
      if (seen.has(href)) return `GET ${url}: redirect loop at ${href}`;
      seen.add(href);
    }
    return `GET ${url}: more than ${MAX_REDIRECTS} redirects`;
  }
  if (/ERR_TOO_MANY_REDIRECTS/.test(e?.message ?? '')) return `GET ${url}: redirect loop (too many redirects)`;
  return null;
}

function describeFailure(err: unknown, request: Request): string {
  const redirect = redirectFailure(err, request.url);
  if (redirect) return redirect;
  const message = describeError(unwrap(err), request.url);
  return request.retryCount > 0 ? `GET ${request.url} failed after ${request.retryCount + 1} attempts: ${message}` : message;
}

function describeError(err: unknown, url: string): string {
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  // The project's messages already name the URL.
  return message.includes(url) ? message : `${url}: ${message}`;
}

/** Waits `ms`, or less when the run is cancelled. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
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
