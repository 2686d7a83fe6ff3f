import { createRequire } from 'node:module';
import { AllearsError, TransientError } from '../model/errors.ts';

const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Sites may want to know who is reading them and where to complain; say so honestly. */
export const USER_AGENT = `allears/${VERSION} (+self-hosted voice-of-customer)`;

/** Stable codes of the non-retryable HTTP errors; everything retryable is a `TransientError`. */
export type HttpErrorCode =
  | 'http_status' | 'http_content_type' | 'http_too_large' | 'http_redirect_loop'
  | 'http_too_many_redirects' | 'http_bad_url';

/** The server answered in a way that will not change by asking again (404, HTML instead of JSON, a loop…). */
export class HttpError extends AllearsError {
  constructor(code: HttpErrorCode, message: string, readonly url: string, readonly httpStatus?: number) {
    super(code, message, { status: 502 });
  }
}

/** The server is down, busy or slow; the next scheduled run may succeed. */
export class HttpTransientError extends TransientError {
  constructor(message: string, readonly url: string, readonly httpStatus?: number, cause?: unknown) {
    super(message, cause);
  }
}

export interface FetchOptions {
  /** Which answers count as the expected format; anything else fails with `http_content_type`. */
  accept?: (contentType: string) => boolean;
  /** What `accept` expects, for the error message: "JSON", "an RSS or Atom feed". */
  expected?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Per attempt, including reading the body. */
  timeoutMs?: number;
  /** Extra attempts after the first, on 408/429/5xx, timeouts and network errors. */
  retries?: number;
  /** First backoff; doubles with each retry. */
  backoffMs?: number;
  /** A Retry-After longer than this is cut to this: a scheduled run should not sleep for an hour. */
  maxRetryWaitMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
}

export interface FetchedBody {
  /** Where the body finally came from, after redirects. */
  url: string;
  status: number;
  contentType: string;
  bytes: Buffer;
  /** The final answer's headers (Link for paging, rate-limit counters…). */
  headers: Headers;
}

const DEFAULTS = {
  timeoutMs: 20_000,
  retries: 3,
  backoffMs: 1_000,
  maxRetryWaitMs: 60_000,
  maxBytes: 10 * 1024 * 1024,
  maxRedirects: 5,
};

export const RETRY_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/** GET a URL politely: honest user agent, timeouts, backoff that honours Retry-After, size and redirect limits. */
export async function politeGet(url: string, opts: FetchOptions = {}): Promise<FetchedBody> {
  const o = { ...DEFAULTS, ...opts };
  let lastError: unknown;
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    opts.signal?.throwIfAborted();
    let waitMs = o.backoffMs * 2 ** attempt;
    try {
      return await getOnce(url, o);
    } catch (err) {
      if (!(err instanceof HttpTransientError) || opts.signal?.aborted) throw err;
      lastError = err;
      if (err instanceof RetryLater && err.retryAfterMs !== undefined) waitMs = err.retryAfterMs;
    }
    if (attempt < o.retries) await sleep(Math.min(waitMs, o.maxRetryWaitMs), opts.signal);
  }
  const last = lastError as HttpTransientError;
  throw new HttpTransientError(`GET ${url} failed after ${o.retries + 1} attempt${o.retries ? 's' : ''}: ${last.message}`, url, last.httpStatus, last);
}

/** GET JSON: the answer must say it is JSON and must parse. */
export async function getJson(url: string, opts: FetchOptions = {}): Promise<{ url: string; data: unknown }> {
  const { url: finalUrl, data } = await getJsonWithHeaders(url, opts);
  return { url: finalUrl, data };
}

/** `getJson` that also hands back the answer's headers, for APIs that page through the Link header. */
export async function getJsonWithHeaders(url: string, opts: FetchOptions = {}): Promise<{ url: string; data: unknown; headers: Headers }> {
  const body = await politeGet(url, {
    accept: (type) => type === '' || /[/+]json\b/.test(type),
    expected: 'JSON',
    ...opts,
    headers: { accept: 'application/json', ...opts.headers },
  });
  const text = body.bytes.toString('utf8');
  try {
    return { url: body.url, data: JSON.parse(text) as unknown, headers: body.headers };
  } catch (err) {
    // A cut-off body is usually a dropped connection or an overloaded server: try again next run.
    throw new HttpTransientError(`GET ${body.url} answered JSON that does not parse (${(err as Error).message}); ${body.bytes.length} bytes received, possibly truncated`, body.url, body.status, err);
  }
}

class RetryLater extends HttpTransientError {
  constructor(message: string, url: string, status: number, readonly retryAfterMs: number | undefined) {
    super(message, url, status);
  }
}

async function getOnce(startUrl: string, o: FetchOptions & typeof DEFAULTS): Promise<FetchedBody> {
  const seen = new Set<string>();
  let url = startUrl;
  for (let hop = 0; ; hop++) {
    seen.add(url);
    const timeout = AbortSignal.timeout(o.timeoutMs);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(url, { headers: { 'user-agent': USER_AGENT, ...o.headers }, redirect: 'manual', signal });
    } catch (err) {
      throw networkError(err, url, o, timeout);
    }
    if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
      await res.body?.cancel();
      const next = resolveLocation(res.headers.get('location')!, url);
      if (seen.has(next)) throw new HttpError('http_redirect_loop', `GET ${startUrl}: redirect loop at ${next}`, startUrl, res.status);
      if (hop >= o.maxRedirects) throw new HttpError('http_too_many_redirects', `GET ${startUrl}: more than ${o.maxRedirects} redirects`, startUrl, res.status);
      url = next;
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      if (RETRY_STATUSES.has(res.status)) {
        throw new RetryLater(`GET ${url} answered ${res.status}`, url, res.status, parseRetryAfter(res.headers.get('retry-after')));
      }
      throw new HttpError('http_status', `GET ${url} answered ${res.status} ${res.statusText}`.trim(), url, res.status);
    }
    const contentType = (res.headers.get('content-type') ?? '').toLowerCase();
    const mediaType = contentType.split(';')[0]!.trim();
    if (o.accept && !o.accept(mediaType)) {
      await res.body?.cancel();
      throw new HttpError('http_content_type', `GET ${url} answered "${mediaType || 'no content type'}", expected ${o.expected ?? 'another content type'}`, url, res.status);
    }
    try {
      return { url, status: res.status, contentType, bytes: await readCapped(res, url, o.maxBytes), headers: res.headers };
    } catch (err) {
      if (err instanceof AllearsError) throw err;
      throw networkError(err, url, o, timeout);
    }
  }
}

function networkError(err: unknown, url: string, o: FetchOptions & typeof DEFAULTS, timeout: AbortSignal): unknown {
  if (o.signal?.aborted) return o.signal.reason ?? err;
  if (timeout.aborted) return new HttpTransientError(`GET ${url} timed out after ${o.timeoutMs} ms`, url, undefined, err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (err as Error).message;
  if ((err as Error).name === 'TypeError' && /invalid url|unknown scheme|not supported/i.test(`${(err as Error).message} ${cause?.message ?? ''}`)) {
    return new HttpError('http_bad_url', `GET ${url}: ${cause?.message ?? (err as Error).message}`, url);
  }
  return new HttpTransientError(`GET ${url} failed: ${detail}`, url, undefined, err);
}

async function readCapped(res: Response, url: string, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new HttpError('http_too_large', `GET ${url}: the answer is larger than the ${maxBytes}-byte limit`, url, res.status);
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Stop reading at once: a runaway body must not fill memory.
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function resolveLocation(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    throw new HttpError('http_bad_url', `GET ${base} redirected to an invalid location "${location}"`, base);
  }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
