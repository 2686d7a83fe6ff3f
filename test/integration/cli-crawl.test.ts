import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../config/logger.ts';
import { openRuntime } from '../../cli/runtime.ts';
import { fixtureServer, type FixtureServer } from '../helpers/fixture-server.ts';
import { ROOT, writeConfig } from '../helpers/server.ts';
import { tempDir } from '../helpers/tmp.ts';

const run = promisify(execFile);

/** Runs the CLI without blocking this process, so the fixture server keeps answering. */
async function allears(args: string[], env: Record<string, string>) {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], {
      cwd: ROOT, env: { ...process.env, ALLEARS_LOG_LEVEL: 'silent', ...env }, encoding: 'utf8', timeout: 90_000,
    });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { status: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const feed = (n: number) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Shop forum</title><link>http://forum.example/</link><description>posts</description>
${Array.from({ length: n }, (_, i) => `<item><guid>post-${i + 1}</guid><title>Post ${i + 1}</title>
<description>My order ${i + 1} arrived late and the refund is still missing.</description>
<pubDate>${new Date(Date.UTC(2026, 2, 1, 8, i)).toUTCString()}</pubDate></item>`).join('\n')}
</channel></rss>`;

describe('allears crawl SOURCE_ID --once', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  test('runs one source, indexes what it brought, and a second run brings only the new posts', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    let posts = 3;
    const server: FixtureServer = await fixtureServer({
      '/feed.xml': (_req, res) => { res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed(posts)); },
    });
    cleanups.push(() => server.close());
    const env = {
      ALLEARS_DATA_DIR: t.dir,
      ALLEARS_CONFIG: writeConfig(t.dir, (c) => {
        c.sources = [{ id: 'forum', kind: 'rss', schedule: '1h', channel: 'forum', options: { url: `${server.url}/feed.xml` } }];
      }),
    };

    const first = await allears(['crawl', 'forum', '--once'], env);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/forum: 3 new item\(s\) in [\d.]+ s; status ok/);

    posts = 5;
    const second = await allears(['crawl', 'forum', '--once'], env);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/forum: 2 new item\(s\)/);

    const rt = await openRuntime(loadConfig({ env: {}, overrides: { deployment: { dataDir: t.dir }, sources: [] } }), createLogger('silent'));
    try {
      const res = await rt.index.search({ filters: { source: ['forum'], includeDuplicates: true }, limit: 10 });
      expect(res.total).toBe(5);
      expect((await rt.sourceState.listHealth())[0]).toMatchObject({ id: 'forum', status: 'ok', recentItems: [2] });
    } finally {
      await rt.close();
    }
  });

  test('an unknown source, and a failing one, end with a clear message and a non-zero exit', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const server = await fixtureServer({
      '/feed.xml': (_req, res) => { res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance'); },
    });
    cleanups.push(() => server.close());
    const env = {
      ALLEARS_DATA_DIR: t.dir,
      ALLEARS_CONFIG: writeConfig(t.dir, (c) => {
        c.sources = [{ id: 'forum', kind: 'rss', schedule: '1h', options: { url: `${server.url}/feed.xml` } }];
      }),
    };
    const unknown = await allears(['crawl', 'nope', '--once'], env);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('sourceId: no source "nope" in the config (configured: forum)');
    const failing = await allears(['crawl', 'forum', '--once'], env);
    expect(failing.status).toBe(1);
    expect(failing.stderr).toMatch(/forum: failed after [\d.]+ s: .*503/);
  });
});
