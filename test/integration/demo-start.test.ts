import { describe, expect, test } from 'vitest';
import { freePort, startAllears, stop } from '../helpers/server.ts';
import { getJson, tempDir, waitFor } from '../helpers/tmp.ts';

describe('allears start (embedded, default config)', () => {
  test('makes demo feedback searchable within 30 s, in English and Chinese', async () => {
    const t = tempDir();
    const started = Date.now();
    const p = await startAllears('start', { ALLEARS_DATA_DIR: t.dir }, await freePort());
    try {
      const get = (qs: string) => getJson(`${p.url}/api/feedback?${qs}`);
      await waitFor(async () => (await get('source=demo&limit=1')).total > 0, { timeoutMs: 30_000 - (Date.now() - started), what: 'demo feedback' });
      const body = await get('source=demo&facets=lang&includeDuplicates=true');
      const langs = Object.fromEntries(body.facets.lang.map((b: { value: string; count: number }) => [b.value, b.count]));
      expect(langs.en).toBeGreaterThan(0);
      expect(langs.zh).toBeGreaterThan(0);
      expect(body.items[0].dimensions.demo).toBe('true');
      const sources = await getJson(`${p.url}/api/sources`);
      expect(sources.sources[0]).toMatchObject({ id: 'demo', kind: 'demo', lastError: null, consecutiveFailures: 0 });
      expect(sources.sources[0].lastSuccessAt).not.toBeNull();
      expect((await fetch(`${p.url}/api/sources/demo/run`, { method: 'POST' })).status).toBe(202);
      expect((await fetch(`${p.url}/api/sources/nope/run`, { method: 'POST' })).status).toBe(404);
      const page = await fetch(`${p.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>allears</title>');
    } finally {
      await stop(p);
      t.cleanup();
    }
  }, 60_000);
});
