import request from 'supertest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConfigInput } from '../../config/schema.ts';
import { makeItems } from '../helpers/items.ts';
import type { TestRuntime } from '../helpers/runtime.ts';

const item = (over: Record<string, unknown> = {}) => ({
  source: { id: 'bad', kind: 'api' }, channel: 'forum', externalId: `x-${Math.random()}`, text: 'The refund never came.',
  publishedAt: '2025-03-01T08:00:00Z', ...over,
});

/**
 * The bad-input cases, run on any deployment mode: `makeRuntime` opens a runtime (with its worker)
 * from config overrides, and its `close` removes whatever it stored.
 */
export function badInputSuite(name: string, makeRuntime: (overrides: Partial<ConfigInput>) => Promise<TestRuntime>): void {
  describe(`bad input gets a clear 4xx and nothing stored is lost (${name})`, () => {
    let t: TestRuntime;
    let stored = 0;
    beforeAll(async () => {
      t = await makeRuntime({ ingest: { maxBodyBytes: 3 * 1024 * 1024 } });
      const res = await request(t.app).post('/api/ingest').send(makeItems(50, { prefix: 'keep' }));
      expect(res.status).toBe(202);
      await t.drained();
      stored = (await request(t.app).get('/api/feedback?includeDuplicates=true&limit=1')).body.total;
      expect(stored).toBe(50);
    });
    afterAll(async () => {
      if (!t) return;
      await t.drained();
      // Every refusal above left the stored items as they were.
      const total = (await request(t.app).get('/api/feedback?includeDuplicates=true&limit=1&source=test')).body.total;
      expect(total).toBe(stored);
      await t.close();
    });

    // Sent as the bytes given: without `serialize`, superagent would JSON-encode a Buffer.
    const post = (body: string | Buffer, type = 'application/json') =>
      request(t.app).post('/api/ingest').set('content-type', type).serialize((b: unknown) => b as string).send(body);

    test('malformed JSON is a 400 that says so', async () => {
      const res = await post('[{"source": ');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('malformed_json');
      expect(res.body.error.message).toMatch(/malformed JSON/);
    });

    test('wrong types are refused item by item, naming index and field, while valid items are accepted', async () => {
      const res = await request(t.app).post('/api/ingest').send([
        item(), item({ publishedAt: 'yesterday' }), item({ channel: 'pigeon', author: { followers: -3 } }), item(),
      ]);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ accepted: 2, rejected: 2 });
      const paths = res.body.errors.map((e: { path: string }) => e.path);
      expect(paths).toEqual(expect.arrayContaining(['items[1].publishedAt', 'items[2].channel', 'items[2].author.followers']));
      expect(res.body.errors.find((e: { path: string }) => e.path === 'items[1].publishedAt').message).toMatch(/ISO 8601/);
    });

    test('a request with only invalid items is a 400 with every problem listed', async () => {
      const res = await request(t.app).post('/api/ingest').send([item({ text: '   ' }), { text: 42 }]);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      const paths = res.body.error.details.map((e: { path: string }) => e.path);
      expect(paths).toContain('items[0].text');
      expect(paths).toEqual(expect.arrayContaining(['items[1].source', 'items[1].text']));
    });

    test('an oversized body is a 413', async () => {
      const big = JSON.stringify([item({ text: 'x'.repeat(4 * 1024 * 1024) })]);
      const res = await post(big);
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('payload_too_large');
    });

    test('invalid UTF-8 is a 400 that gives the byte offset', async () => {
      const bytes = Buffer.concat([Buffer.from('[{"text":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]')]);
      const res = await post(bytes);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_utf8');
      expect(res.body.error.message).toContain('offset 13');
    });

    test('a 1 MB item is refused by field with the limit, not truncated', async () => {
      const res = await request(t.app).post('/api/ingest').send([item({ text: 'é'.repeat(1024 * 1024) })]);
      expect(res.status).toBe(400);
      expect(res.body.error.details[0]).toMatchObject({ path: 'items[0].text' });
      expect(res.body.error.details[0].message).toMatch(/at most 100000 characters/);
    });

    test('an empty body and a non-array body are 400s', async () => {
      expect((await post('')).status).toBe(400);
      const res = await post('42');
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe('body');
    });

    test('NDJSON reports a broken line by its index and accepts the rest', async () => {
      const body = [JSON.stringify(item()), '{"broken', JSON.stringify(item())].join('\n');
      const res = await post(body, 'application/x-ndjson');
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ accepted: 2, rejected: 1 });
      expect(res.body.errors[0]).toMatchObject({ index: 1, path: 'line 2' });
    });

    test('HTML and script payloads are stored as text and come back as JSON, never as markup', async () => {
      const payload = '<script>alert("pwned")</script><b>Refund</b> me <img src=x onerror=alert(1)> now';
      const res = await request(t.app).post('/api/ingest').send([item({ externalId: 'html-1', text: payload, title: '<i>Help</i>' })]);
      expect(res.status).toBe(202);
      await t.drained();
      const got = await request(t.app).get(`/api/feedback/${res.body.ids[0]}`);
      expect(got.headers['content-type']).toMatch(/application\/json/);
      expect(got.headers['x-content-type-options']).toBe('nosniff');
      expect(got.body.text).not.toContain('<script>');
      expect(got.body.text).not.toContain('alert("pwned")');
      expect(got.body.text).toContain('Refund me');
      expect(got.body.title).toBe('Help');
      expect(got.body.originalText).toBe(payload);
    });

    test.each([
      ['"unbalanced', 400],
      ['refund "late delivery', 400],
      ['NEAR(refund late)', 200],
      ['refund*', 200],
      ['text:refund', 200],
      ['^refund', 200],
      ['AND OR NOT', 400],
      ['(refund', 400],
      ['-refund', 400],
    ])('query %s gets %i, never a crash', async (q, status) => {
      const res = await request(t.app).get('/api/feedback').query({ q });
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      if (status === 400) {
        expect(res.body.error.code).toBe('query_syntax');
        expect(res.body.error.details[0].path).toBe('q');
      }
    });

    test('bad search parameters name the parameter', async () => {
      const res = await request(t.app).get('/api/feedback?channel=pigeon&limit=abc');
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe('limit');
      const res2 = await request(t.app).get('/api/feedback?channel=pigeon');
      expect(res2.status).toBe(400);
      expect(res2.body.error.details[0].path).toBe('channel');
      const res3 = await request(t.app).get('/api/feedback?chanel=forum');
      expect(res3.status).toBe(400);
      expect(res3.body.error.message).toContain('chanel');
    });

    test('a malformed URL, a from after to, labels not sent as JSON and a bad queue limit are 4xx', async () => {
      const url = await request(t.app).get('/api/feedback/%E0%A4%A');
      expect(url.status).toBe(400);
      expect(url.body.error.code).toBe('bad_request');
      const range = await request(t.app).get('/api/analytics/trends?interval=day&from=2024-01-01&to=2023-01-01');
      expect(range.status).toBe(400);
      expect(range.body.error.details[0].path).toBe('from');
      const labels = await request(t.app).patch('/api/feedback/any/labels').set('content-type', 'text/plain').send('sentiment=negative');
      expect(labels.status).toBe(415);
      expect((await request(t.app).get('/api/queue?limit=-1')).status).toBe(400);
    });
  });
}
