import request from 'supertest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../api/app.ts';
import { VERSION, newScheduler } from '../../cli/runtime.ts';
import { SourceDirectory } from '../../crawlers/directory.ts';
import { signWebhook } from '../../crawlers/webhook/source.ts';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';

const SECRET = 'shop-secret-for-tests';
const item = (externalId: string, over: Record<string, unknown> = {}) => ({ externalId, text: `Parcel ${externalId} arrived broken and nobody answers my calls about it.`, publishedAt: '2026-03-01T08:00:00Z', ...over });

describe('webhook push: POST /api/ingest/:sourceId', () => {
  let t: TestRuntime;
  let app: ReturnType<typeof createApp>;
  const prev = { ...process.env };
  beforeAll(async () => {
    process.env.SHOP_HOOK_SECRET = SECRET;
    process.env.GH_STYLE_SECRET = 'body-only';
    t = await testRuntime({
      sources: [
        { id: 'shop', kind: 'webhook', channel: 'complaint', options: { secretEnv: 'SHOP_HOOK_SECRET' } },
        { id: 'ghstyle', kind: 'webhook', channel: 'webform', options: { secretEnv: 'GH_STYLE_SECRET', scheme: 'body', signatureHeader: 'X-Hub-Signature-256' } },
        { id: 'unset', kind: 'webhook', options: { secretEnv: 'NOT_SET_ANYWHERE' } },
        { id: 'badopts', kind: 'webhook', options: { secretEnv: 'lower-case' } },
        { id: 'feed', kind: 'rss', schedule: '1h', options: { url: 'http://127.0.0.1:9/feed.xml' } },
      ],
    });
    const scheduler = newScheduler(t.rt);
    const sources = new SourceDirectory(t.rt.config.sources, t.rt.sourceState, t.rt.checkpoints, { scheduler, runs: false }, t.rt.queue);
    app = createApp({ ...t.rt, version: VERSION, sources });
  });
  afterAll(async () => {
    process.env = prev;
    await t?.close();
  });

  const push = (id: string, body: string, headers: Record<string, string>) => {
    let r = request(app).post(`/api/ingest/${id}`).set('content-type', 'application/json');
    for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
    return r.serialize((b: unknown) => b as string).send(body);
  };
  const signed = (body: string, ts = Math.floor(Date.now() / 1000)) => ({
    'x-allears-timestamp': String(ts),
    'x-allears-signature': signWebhook(SECRET, body, ts),
  });

  test('a signed push is accepted, stamped with its source and channel, and searchable', async () => {
    const body = JSON.stringify([item('t-1'), item('t-2', { source: { id: 'shop', kind: 'form' }, text: '快递三天没动，客服电话一直打不通，我要投诉到12315。' })]);
    const res = await push('shop', body, signed(body));
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    await t.drained();
    const found = await request(app).get('/api/feedback?source=shop&limit=10');
    expect(found.body.total).toBe(2);
    expect(found.body.items.map((i: { channel: string }) => i.channel)).toEqual(['complaint', 'complaint']);
    const view = (await request(app).get('/api/sources/shop')).body;
    expect(view).toMatchObject({ id: 'shop', kind: 'webhook', status: 'ok', lastItems: 2 });
  });

  test('a body changed after signing, a wrong secret, or a missing signature is a 401 naming the header', async () => {
    const body = JSON.stringify([item('t-3')]);
    const headers = signed(body);
    const tampered = await push('shop', body.replace('broken', 'intact'), headers);
    expect(tampered.status).toBe(401);
    expect(tampered.body.error.code).toBe('bad_signature');
    expect(tampered.body.error.message).toContain('does not match');
    expect(tampered.body.error.details[0].path).toBe('headers.x-allears-signature');
    expect(JSON.stringify(tampered.body)).not.toContain(SECRET);

    const ts = Math.floor(Date.now() / 1000);
    const wrong = await push('shop', body, { 'x-allears-timestamp': String(ts), 'x-allears-signature': signWebhook('guess', body, ts) });
    expect(wrong.status).toBe(401);

    const missing = await push('shop', body, {});
    expect(missing.status).toBe(401);
    expect(missing.body.error.message).toContain('missing x-allears-signature');
  });

  test('a replayed request outside the time window is refused', async () => {
    const body = JSON.stringify([item('t-4')]);
    const old = Math.floor(Date.now() / 1000) - 3600;
    const res = await push('shop', body, signed(body, old));
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/x-allears-timestamp is 3\d{3} s away from now; at most 300 s/);
    expect(res.body.error.details[0].path).toBe('headers.x-allears-timestamp');
  });

  test('the body-only scheme takes a GitHub-style signature header', async () => {
    const body = JSON.stringify({ items: [item('g-1')] });
    const res = await push('ghstyle', body, { 'X-Hub-Signature-256': signWebhook('body-only', body) });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1);
  });

  test('an item naming another source is refused by field; the others go in', async () => {
    const body = JSON.stringify([item('t-5', { source: { id: 'someone-else', kind: 'webhook' } }), item('t-6')]);
    const res = await push('shop', body, signed(body));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(res.body.errors[0]).toMatchObject({ index: 0, path: 'items[0].source.id' });
  });

  test('unknown, non-webhook, unconfigured and misconfigured sources each get a clear error', async () => {
    const body = JSON.stringify([item('t-7')]);
    expect((await push('nope', body, signed(body))).status).toBe(404);
    expect((await push('feed', body, signed(body))).status).toBe(404);
    const unset = await push('unset', body, signed(body));
    expect(unset.status).toBe(503);
    expect(unset.body.error.message).toContain('NOT_SET_ANYWHERE');
    const bad = await push('badopts', body, signed(body));
    expect(bad.status).toBe(503);
    expect(bad.body.error.details[0].path).toBe('sources.badopts.options.secretEnv');
  });

  test('a signed push with no valid item is a 400 and shows as failing in the source health', async () => {
    const body = JSON.stringify([{ externalId: 'x' }]);
    const res = await push('shop', body, signed(body));
    expect(res.status).toBe(400);
    const view = (await request(app).get('/api/sources/shop')).body;
    expect(view.status).toBe('failing');
    expect(view.lastError).toContain('no valid items');
    const events = (await request(app).get('/api/sources/events?source=shop')).body.events;
    expect(events.map((e: { type: string }) => e.type)).toContain('source_failing');
  });

  test('a run asked for a webhook source is refused with the reason', async () => {
    const res = await request(app).post('/api/sources/shop/run');
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('POST /api/ingest/shop');
  });
});
