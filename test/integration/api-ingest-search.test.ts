import request from 'supertest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SearchResult } from '../../store/ports.ts';
import { makeItems } from '../helpers/items.ts';
import { testRuntime, type TestRuntime } from '../helpers/runtime.ts';

describe('ingest → pipeline → search through the API (embedded)', () => {
  let t: TestRuntime;
  beforeAll(async () => { t = await testRuntime(); });
  afterAll(async () => { await t.close(); });

  const search = async (qs: string): Promise<SearchResult> => {
    const res = await request(t.app).get(`/api/feedback?${qs}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as SearchResult;
  };

  test('makes 10,000 ingested items searchable, facets add up, and re-ingesting them changes nothing', async () => {
    const items = makeItems(10_000, { prefix: 'bulk' });
    const first = await request(t.app).post('/api/ingest').send(items);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ accepted: 10_000, rejected: 0 });
    expect(new Set(first.body.ids).size).toBe(10_000);
    await t.drained();

    const all = await search('includeDuplicates=true&limit=5&facets=channel,lang,sentiment,dim.supplier');
    expect(all.total).toBe(10_000);
    for (const field of ['channel', 'lang', 'sentiment', 'dim.supplier']) {
      const sum = all.facets[field]!.reduce((s, b) => s + b.count, 0);
      expect(sum, field).toBe(10_000);
    }
    // Duplicates are hidden by default, never lost: the two views add up.
    const dupes = (await request(t.app).get('/api/analytics/breakdown?field=channel&includeDuplicates=true')).body.total as number;
    expect(dupes).toBe(10_000);

    const again = await request(t.app).post('/api/ingest').set('content-type', 'application/x-ndjson')
      .send(items.map((i) => JSON.stringify(i)).join('\n'));
    expect(again.status).toBe(202);
    expect(again.body.ids).toEqual(first.body.ids);
    await t.drained();
    expect((await search('includeDuplicates=true&limit=1')).total).toBe(10_000);
  });

  test('returns one item by id and 404 with the error shape for an unknown id', async () => {
    const [item] = makeItems(1, { prefix: 'one' });
    const res = await request(t.app).post('/api/ingest').send([item]);
    await t.drained();
    const got = await request(t.app).get(`/api/feedback/${res.body.ids[0]}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: res.body.ids[0], externalId: 'one-0', lang: 'en' });
    expect(got.body.analysis.sentiment.label).toMatch(/negative|neutral|positive/);
    const missing = await request(t.app).get('/api/feedback/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found' });
  });

  test('finds Chinese by words and English by stems', async () => {
    await request(t.app).post('/api/ingest').send([
      { source: { id: 'words', kind: 'api' }, channel: 'complaint', externalId: 'zh-1', text: '理赔速度太慢了', publishedAt: '2025-04-01T00:00:00Z' },
      { source: { id: 'words', kind: 'api' }, channel: 'complaint', externalId: 'zh-2', text: '客服态度很差，我要投诉', publishedAt: '2025-04-01T00:00:00Z' },
      { source: { id: 'words', kind: 'api' }, channel: 'review', externalId: 'en-1', text: 'Both parcels were delivered to the wrong address', publishedAt: '2025-04-01T00:00:00Z' },
    ]);
    await t.drained();
    expect((await search('source=words&q=理赔')).items.map((i) => i.externalId)).toEqual(['zh-1']);
    expect((await search('source=words&q=客服')).items.map((i) => i.externalId)).toEqual(['zh-2']);
    expect((await search('source=words&q=deliver')).items.map((i) => i.externalId)).toEqual(['en-1']);
    expect((await search('source=words&q=parcel')).items.map((i) => i.externalId)).toEqual(['en-1']);
  });

  test('stores corrected labels, and filters and facets use them', async () => {
    const res = await request(t.app).post('/api/ingest').send([
      { source: { id: 'labels', kind: 'api' }, channel: 'review', externalId: 'l-1', text: 'Well, that was something else.', publishedAt: '2025-04-02T00:00:00Z' },
    ]);
    await t.drained();
    const id = res.body.ids[0] as string;
    const patched = await request(t.app).patch(`/api/feedback/${id}/labels`).set('x-user', 'ana').send({ sentiment: 'positive', topics: ['delivery'] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.labels).toMatchObject({ sentiment: 'positive', topics: ['delivery'], correctedBy: 'ana' });
    const found = await search('source=labels&sentiment=positive&topic=delivery');
    expect(found.items.map((i) => i.id)).toEqual([id]);

    const bad = await request(t.app).patch(`/api/feedback/${id}/labels`).send({ sentiment: 'furious', topics: ['no-such-topic'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain('sentiment');
    const unknownTopic = await request(t.app).patch(`/api/feedback/${id}/labels`).send({ topics: ['no-such-topic'] });
    expect(unknownTopic.status).toBe(400);
    expect(unknownTopic.body.error.details[0].path).toBe('topics[0]');
    const stale = await request(t.app).patch(`/api/feedback/${id}/labels`).set('if-match', '"0"').send({ sentiment: 'neutral' });
    expect(stale.status).toBe(409);
  });

  test('answers trends by day split by sentiment and breakdowns with NPS', async () => {
    await request(t.app).post('/api/ingest').send([10, 9, 8, 3].map((score, i) => ({
      source: { id: 'nps', kind: 'survey' }, channel: 'survey', initiator: 'company', externalId: `s-${i}`,
      publishedAt: `2025-05-0${i + 1}T10:00:00Z`, survey: { survey: 'post-delivery', metric: 'nps', score, touchpoint: 'delivery' },
    })));
    await t.drained();
    const trends = await request(t.app).get('/api/analytics/trends?source=nps&interval=day&splitBy=sentiment');
    expect(trends.status).toBe(200);
    expect(trends.body.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(4);
    const nps = await request(t.app).get('/api/analytics/breakdown?source=nps&metric=nps');
    expect(nps.status, JSON.stringify(nps.body)).toBe(200);
    expect(nps.body.groups[0]).toMatchObject({ count: 4, nps: 25 });
    const badField = await request(t.app).get('/api/analytics/breakdown?field=colour');
    expect(badField.status).toBe(400);
    expect(badField.body.error.details[0].path).toBe('field');
  });

  test('reports health, queue depth and pipeline metrics', async () => {
    const health = await request(t.app).get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const metrics = await request(t.app).get('/metrics');
    expect(metrics.text).toMatch(/allears_items_ingested_total\{source="test"\} \d+/);
    expect(metrics.text).toMatch(/allears_items_processed_total\{stage="sentiment"\} \d+/);
    expect(metrics.text).toContain('allears_stage_duration_seconds_bucket');
    expect(metrics.text).toMatch(/allears_queue_depth\{queue="ingest",state="waiting"\} 0/);
    const queue = await request(t.app).get('/api/queue');
    expect(queue.body.queues[0]).toMatchObject({ queue: 'ingest', dead: 0 });
  });
});
