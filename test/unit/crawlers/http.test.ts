import { afterEach, describe, expect, test } from 'vitest';
import { AllearsError, TransientError } from '../../../model/errors.ts';
import { getJson, HttpError, parseRetryAfter, politeGet, USER_AGENT, type FetchOptions } from '../../../crawlers/http.ts';
import { fixtureServer, send, type FixtureServer } from '../../helpers/fixture-server.ts';

// Tiny delays keep the whole file well under a second of waiting.
const FAST: FetchOptions = { retries: 2, backoffMs: 5, maxRetryWaitMs: 60, timeoutMs: 2_000 };

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function failure(p: Promise<unknown>): Promise<AllearsError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AllearsError);
  return err as AllearsError;
}

describe('politeGet', () => {
  test('should introduce itself with an honest user agent', async () => {
    server = await fixtureServer({ '/ok': (_q, res) => send(res, 200, 'application/json', '{"ok":true}') });
    const { data } = await getJson(`${server.url}/ok`, FAST);
    expect(data).toEqual({ ok: true });
    expect(USER_AGENT).toMatch(/^allears\/\d+\.\d+\.\d+ \(\+self-hosted voice-of-customer\)$/);
    expect(server.requests[0]!.headers['user-agent']).toBe(USER_AGENT);
  });

  test('should wait as long as Retry-After says (capped) after a 429, then succeed', async () => {
    server = await fixtureServer({
      '/busy': (_q, res, hit) => (hit === 1
        ? send(res, 429, 'text/plain', 'slow down', { 'retry-after': '3600' })
        : send(res, 200, 'application/json', '[1]')),
    });
    const started = Date.now();
    const { data } = await getJson(`${server.url}/busy`, FAST);
    const waited = Date.now() - started;
    expect(data).toEqual([1]);
    expect(server.requests).toHaveLength(2);
    // An hour was asked for; the cap (60 ms here) applies.
    expect(waited).toBeGreaterThanOrEqual(50);
    expect(waited).toBeLessThan(1_500);
  });

  test('should read Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-03-01T08:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Sat, 01 Mar 2025 08:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sat, 01 Mar 2025 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  test('should retry 5xx with backoff, then give up with a retryable TransientError', async () => {
    server = await fixtureServer({ '/down': (_q, res) => send(res, 503, 'text/html', '<h1>down</h1>') });
    const err = await failure(getJson(`${server.url}/down`, FAST));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/failed after 3 attempts.*503/);
    expect(server.requests).toHaveLength(3);
  });

  test('should not retry a 404 and say which URL answered it', async () => {
    server = await fixtureServer({ '/missing': (_q, res) => send(res, 404, 'text/html', 'not here') });
    const err = await failure(politeGet(`${server.url}/missing`, FAST));
    expect(err).toBeInstanceOf(HttpError);
    expect(err.message).toContain(`${server.url}/missing answered 404`);
    expect(err.code).toBe('http_status');
    expect(err.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  test('should refuse HTML from a JSON endpoint, naming the URL and the type', async () => {
    server = await fixtureServer({ '/api': (_q, res) => send(res, 200, 'text/html; charset=utf-8', '<html>login</html>') });
    const err = await failure(getJson(`${server.url}/api`, FAST));
    expect(err.code).toBe('http_content_type');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`${server.url}/api`);
    expect(err.message).toContain('text/html');
  });

  test('should report truncated JSON as a transient error with the URL', async () => {
    server = await fixtureServer({ '/cut': (_q, res) => send(res, 200, 'application/json', '{"hits":[{"objectID":"1","title":"a') });
    const err = await failure(getJson(`${server.url}/cut`, FAST));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/does not parse/);
    expect(err.message).toContain(`${server.url}/cut`);
  });

  test('should follow redirects and end a redirect loop with an error', async () => {
    server = await fixtureServer({
      '/a': (_q, res) => send(res, 302, 'text/plain', '', { location: '/b' }),
      '/b': (_q, res) => send(res, 301, 'text/plain', '', { location: '/c' }),
      '/c': (_q, res) => send(res, 200, 'application/json', '"here"'),
      '/loop1': (_q, res) => send(res, 302, 'text/plain', '', { location: '/loop2' }),
      '/loop2': (_q, res) => send(res, 302, 'text/plain', '', { location: '/loop1' }),
      '/far': (_q, res, hit) => send(res, 302, 'text/plain', '', { location: `/far?n=${hit}` }),
    });
    const ok = await getJson(`${server.url}/a`, FAST);
    expect(ok).toEqual({ url: `${server.url}/c`, data: 'here' });
    const loop = await failure(getJson(`${server.url}/loop1`, FAST));
    expect(loop.code).toBe('http_redirect_loop');
    expect(loop.retryable).toBe(false);
    const far = await failure(getJson(`${server.url}/far`, { ...FAST, maxRedirects: 3 }));
    expect(far.code).toBe('http_too_many_redirects');
  });

  test('should stop reading a body larger than the limit, declared or not', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    server = await fixtureServer({
      '/declared': (_q, res) => send(res, 200, 'application/json', Buffer.alloc(300_000, ' ')),
      '/streamed': (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        let sent = 0;
        const pump = () => {
          // Far beyond the limit if nobody stops reading; the client hangs up first.
          while (sent < 200 && res.write(chunk)) sent++;
          if (sent < 200 && !res.destroyed) res.once('drain', pump);
          else res.end();
        };
        pump();
      },
    });
    const declared = await failure(getJson(`${server.url}/declared`, { ...FAST, maxBytes: 100_000 }));
    expect(declared.code).toBe('http_too_large');
    const streamed = await failure(getJson(`${server.url}/streamed`, { ...FAST, maxBytes: 100_000 }));
    expect(streamed.code).toBe('http_too_large');
    expect(streamed.message).toContain('100000-byte limit');
  });

  test('should time out a server that never answers', async () => {
    server = await fixtureServer({ '/hang': () => undefined });
    const err = await failure(getJson(`${server.url}/hang`, { ...FAST, retries: 1, timeoutMs: 100 }));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/timed out after 100 ms/);
    expect(server.requests).toHaveLength(2);
  });

  test('should stop at once, without retrying, when the caller aborts', async () => {
    server = await fixtureServer({ '/hang': () => undefined });
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('shutting down')), 50);
    const err = await getJson(`${server.url}/hang`, { ...FAST, signal: abort.signal }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('shutting down');
    expect(server.requests).toHaveLength(1);
  });
});
