import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ValidationError } from '../../../model/index.ts';
import { openDb, type Db } from '../../../store/sqlite/db.ts';
import { SqliteFeedbackIndex } from '../../../store/sqlite/feedback-index.ts';
import { makeFeedback } from '../../contract/fixtures.ts';

describe('SqliteFeedbackIndex', () => {
  let dir: string;
  let file: string;
  const opened: Db[] = [];
  const open = (): Db => {
    const db = openDb(file);
    opened.push(db);
    return db;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'allears-sqlite-index-'));
    file = join(dir, 'allears.db');
  });
  afterEach(() => {
    for (const db of opened.splice(0)) if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('should rebuild its in-memory columns from the database when reopened', async () => {
    const first = open();
    const index = new SqliteFeedbackIndex(first);
    const a = makeFeedback({ channel: 'social', text: '快递三天还没到', lang: 'zh', dimensions: { store: 's1' } });
    const b = makeFeedback({ channel: 'review', text: 'refund please' });
    await index.upsert([a, b]);
    await index.patch(b.id, { labels: { sentiment: 'positive', topics: ['refund'] } });
    first.close();

    const reopened = new SqliteFeedbackIndex(open());
    const r = await reopened.search({ facets: ['channel', 'sentiment', 'topic', 'dim.store'] });
    expect(r.total).toBe(2);
    expect(r.facets).toEqual({
      channel: [{ value: 'review', count: 1 }, { value: 'social', count: 1 }],
      sentiment: [{ value: 'negative', count: 1 }, { value: 'positive', count: 1 }],
      topic: [{ value: 'refund', count: 1 }],
      'dim.store': [{ value: 's1', count: 1 }],
    });
    expect((await reopened.search({ q: '快递' })).items.map((f) => f.id)).toEqual([a.id]);
    // Writes after a reopen continue the sequence rather than colliding with it.
    await reopened.upsert([makeFeedback()]);
    expect(await reopened.count()).toBe(3);
  });

  test('should see items and corrections written through another connection to the same file', async () => {
    const reader = new SqliteFeedbackIndex(open());
    const writer = new SqliteFeedbackIndex(open());
    const f = makeFeedback({ text: 'refund please' });
    expect(await reader.count()).toBe(0);
    await writer.upsert([f]);
    expect(await reader.count({ q: 'refund' })).toBe(1);
    await writer.patch(f.id, { labels: { sentiment: 'positive' } });
    expect(await reader.count({ filters: { sentiment: ['positive'] } })).toBe(1);
    // And the other way round, continuing the same sequence.
    await reader.upsert([makeFeedback({ text: 'refund again' })]);
    expect(await writer.count({ q: 'refund' })).toBe(2);
  });

  test('should drop cached full-text results when the text changes', async () => {
    const index = new SqliteFeedbackIndex(open());
    const f = makeFeedback({ text: 'refund please' });
    await index.upsert([f]);
    expect(await index.count({ q: 'refund' })).toBe(1);
    await index.upsert([{ ...f, text: 'thanks' }]);
    expect(await index.count({ q: 'refund' })).toBe(0);
  });

  test('should store nothing from a batch with an invalid item, naming it', async () => {
    const index = new SqliteFeedbackIndex(open());
    const bad = { ...makeFeedback(), publishedAt: 'yesterday' };
    const err = await index.upsert([makeFeedback(), bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).details).toEqual([
      { path: 'items[1].publishedAt', message: 'must be an ISO 8601 date-time', index: 1 },
    ]);
    expect(await index.count()).toBe(0);
  });

  test('should keep memory and database in step when a patch is refused', async () => {
    const index = new SqliteFeedbackIndex(open());
    const f = makeFeedback();
    await index.upsert([f]);
    await expect(index.patch(f.id, { labels: { sentiment: 'positive' } }, { ifVersion: 9 })).rejects.toThrow();
    expect(await index.count({ filters: { sentiment: ['positive'] } })).toBe(0);
    expect(await new SqliteFeedbackIndex(open()).count({ filters: { sentiment: ['positive'] } })).toBe(0);
  });

  test('should find sub-words of long Chinese words', async () => {
    const index = new SqliteFeedbackIndex(open());
    const f = makeFeedback({ lang: 'zh', text: '中华人民共和国消费者权益保护法' });
    await index.upsert([f]);
    for (const q of ['共和国', '中华人民共和国', '消费者', '权益']) expect(await index.count({ q })).toBe(1);
  });

  test('should record its schema version and share the file with other components', async () => {
    const db = open();
    db.exec('CREATE TABLE jobs (id INTEGER PRIMARY KEY, name TEXT)');
    db.prepare("INSERT INTO jobs (name) VALUES ('x')").run();
    new SqliteFeedbackIndex(db);
    new SqliteFeedbackIndex(db); // opening twice is harmless
    expect(db.prepare("SELECT version FROM schema_migrations WHERE component = 'index'").pluck().get()).toBe(1);
    expect(db.prepare('SELECT count(*) FROM jobs').pluck().get()).toBe(1);
  });

  test('should refuse a database written by a newer version', () => {
    const db = open();
    new SqliteFeedbackIndex(db);
    db.prepare("UPDATE schema_migrations SET version = 99 WHERE component = 'index'").run();
    expect(() => new SqliteFeedbackIndex(db)).toThrow(/newer than this program knows/);
  });

  test('should bucket months correctly across years, leap days included', async () => {
    const index = new SqliteFeedbackIndex(open());
    const dates = ['2019-12-31T23:59:59Z', '2020-02-29T12:00:00Z', '2020-03-01T00:00:00Z', '2021-01-15T00:00:00Z'];
    await index.upsert(dates.map((publishedAt) => makeFeedback({ publishedAt })));
    const months = (await index.histogram({ interval: 'month' })).filter((b) => b.count > 0);
    expect(months).toEqual([
      { key: '2019-12-01T00:00:00.000Z', count: 1 },
      { key: '2020-02-01T00:00:00.000Z', count: 1 },
      { key: '2020-03-01T00:00:00.000Z', count: 1 },
      { key: '2021-01-01T00:00:00.000Z', count: 1 },
    ]);
    expect((await index.histogram({ interval: 'month' })).length).toBe(14);
  });

  test('should refuse a histogram with too many buckets', async () => {
    const index = new SqliteFeedbackIndex(open());
    await index.upsert([makeFeedback({ publishedAt: '2000-01-01T00:00:00Z' }), makeFeedback({ publishedAt: '2025-01-01T00:00:00Z' })]);
    await expect(index.histogram({ interval: 'hour' })).rejects.toBeInstanceOf(ValidationError);
  });
});
