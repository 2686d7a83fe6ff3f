import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ValidationError, type Feedback } from '../../../model/index.ts';
import { openDb, type Db } from '../../../store/sqlite/db.ts';
import { SqliteFeedbackIndex } from '../../../store/sqlite/feedback-index.ts';
import { idHash } from '../../../store/sqlite/id-map.ts';
import { ensureSchema, INDEX_MIGRATIONS, INDEX_SCHEMA_V1 } from '../../../store/sqlite/schema.ts';
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
    const noAnalysis = { ...makeFeedback(), analysis: undefined } as unknown as Feedback;
    await expect(index.upsert([noAnalysis])).rejects.toMatchObject({ details: [{ path: 'items[0].analysis' }] });
  });

  test('should keep memory and database in step when a patch is refused', async () => {
    const index = new SqliteFeedbackIndex(open());
    const f = makeFeedback();
    await index.upsert([f]);
    await expect(index.patch(f.id, { labels: { sentiment: 'positive' } }, { ifVersion: 9 })).rejects.toThrow();
    expect(await index.count({ filters: { sentiment: ['positive'] } })).toBe(0);
    expect(await new SqliteFeedbackIndex(open()).count({ filters: { sentiment: ['positive'] } })).toBe(0);
  });

  test('should rank large match sets without FTS5 bm25: more and rarer terms first, then shorter texts', async () => {
    const index = new SqliteFeedbackIndex(open(), { exactRelevanceLimit: 0 });
    const both = makeFeedback({ text: 'refund courier late' });
    const rare = makeFeedback({ text: 'courier never came' });
    const short = makeFeedback({ text: 'refund now' });
    const long = makeFeedback({ text: 'I asked again and again for my refund but nobody from the shop answered' });
    const filler = Array.from({ length: 6 }, (_, i) => makeFeedback({ text: `refund number ${i} of many` }));
    await index.upsert([long, short, rare, both, ...filler]);
    const ranked = (await index.search({ q: 'refund OR courier', sort: 'relevance', limit: 3 })).items.map((f) => f.id);
    expect(ranked).toEqual([both.id, rare.id, short.id]);
    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await index.search({ q: 'refund OR courier', sort: 'relevance', limit: 4, cursor });
      pages.push(...r.items.map((f) => f.id));
      cursor = r.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toHaveLength(10);
    expect(new Set(pages).size).toBe(10);
    expect(pages[pages.length - 1]).toBe(long.id);
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
    expect(db.prepare("SELECT version FROM schema_migrations WHERE component = 'index'").pluck().get()).toBe(3);
    expect(db.prepare('SELECT count(*) FROM jobs').pluck().get()).toBe(1);
  });

  test('should migrate a version 1 database, keeping its documents, corrections and full text', async () => {
    const db = open();
    ensureSchema(db, 'index', [INDEX_SCHEMA_V1]);
    const f = makeFeedback({ text: 'refund please', channel: 'social' });
    db.prepare(`INSERT INTO feedback (rid, id, seq, version, published_ms, channel, source, initiator, lang, sentiment, complaint,
      topics, escalation, duplicate, labels, case_id, text_hash) VALUES (1, ?, 1, 3, ?, 'social', 'forum-main', 'customer', 'en',
      'negative', 1, '[]', 'low', 0, '{"sentiment":"positive"}', 'case-9', 'old')`).run(f.id, Date.parse(f.publishedAt));
    db.prepare('INSERT INTO feedback_doc (rid, doc) VALUES (1, ?)').run(JSON.stringify(f));
    db.prepare("INSERT INTO feedback_fts (rowid, title, body, sub) VALUES (1, '', 'refund please', '')").run();

    const index = new SqliteFeedbackIndex(db);
    expect(await index.get(f.id)).toMatchObject({ id: f.id, version: 3, caseId: 'case-9', labels: { sentiment: 'positive' } });
    expect(await index.count({ q: 'refund', filters: { sentiment: ['positive'], channel: ['social'] } })).toBe(1);
    expect(await index.upsert([f])).toEqual({ created: 0, updated: 1 });
    expect(db.prepare("SELECT version FROM schema_migrations WHERE component = 'index'").pluck().get()).toBe(3);
  });

  test('should migrate a version 2 database to 3, giving existing rows their author key and keeping everything else', async () => {
    const db = open();
    // A version 2 database written by the version 2 code path: the first two migrations, then rows as it wrote them.
    ensureSchema(db, 'index', INDEX_MIGRATIONS.slice(0, 2));
    expect(db.prepare("SELECT count(*) FROM pragma_table_info('feedback') WHERE name = 'author_key'").pluck().get()).toBe(0);
    const docs = [
      makeFeedback({ text: 'refund please', customerRef: 'C-7', author: { handle: 'ann' }, publishedAt: '2025-03-01T08:00:00Z' }),
      makeFeedback({ text: 'still waiting', source: { id: 'x', kind: 'twitter' }, author: { id: '42', handle: 'ann' }, publishedAt: '2025-03-02T08:00:00Z' }),
      makeFeedback({ text: 'where is it', source: { id: 'x', kind: 'twitter' }, author: { handle: 'bob' }, publishedAt: '2025-03-03T08:00:00Z' }),
      makeFeedback({ text: 'no author here', publishedAt: '2025-03-04T08:00:00Z' }),
    ];
    const insert = db.prepare(`INSERT INTO feedback (rid, id, id_hash, seq, version, published_ms, channel, source, initiator, lang,
      sentiment, complaint, topics, escalation, duplicate, labels, case_id, text_hash, text_len)
      VALUES (?, ?, ?, ?, 2, ?, 'forum', ?, 'customer', 'en', 'negative', 1, '[]', 'low', 0, ?, ?, 'h', 2)`);
    docs.forEach((f, i) => {
      const rid = i + 1;
      insert.run(rid, f.id, idHash(f.id), rid, Date.parse(f.publishedAt), f.source.id, i === 0 ? '{"topics":[]}' : null, i === 0 ? 'case-3' : null);
      db.prepare('INSERT INTO feedback_doc (rid, doc) VALUES (?, ?)').run(rid, JSON.stringify(f));
      db.prepare("INSERT INTO feedback_fts (rowid, title, body, sub) VALUES (?, '', ?, '')").run(rid, f.text);
    });

    const index = new SqliteFeedbackIndex(db);
    expect(db.prepare("SELECT version FROM schema_migrations WHERE component = 'index'").pluck().get()).toBe(3);
    expect(db.prepare('SELECT author_key FROM feedback ORDER BY rid').pluck().all()).toEqual([
      'customer:C-7', 'author:twitter:42', 'author:twitter:bob', null,
    ]);
    expect(db.prepare("SELECT count(*) FROM pragma_index_list('feedback') WHERE name = 'feedback_author'").pluck().get()).toBe(1);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM feedback WHERE author_key = ? AND published_ms BETWEEN ? AND ? ORDER BY published_ms DESC LIMIT 5")
      .all('x', 0, 1) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join('; ')).toContain('feedback_author');
    // Documents, versions, corrections, case links and full text are all still there.
    expect(await index.get(docs[0]!.id)).toMatchObject({ id: docs[0]!.id, version: 2, caseId: 'case-3', labels: { topics: [] } });
    expect(await index.count({ q: 'waiting' })).toBe(1);
    expect(await index.count({ filters: { corrected: ['topics'] } })).toBe(1);
    expect(await index.recentByAuthor([
      { authorKey: 'author:twitter:42', since: '2025-03-01T00:00:00Z', until: '2025-03-31T00:00:00Z' },
      { authorKey: 'customer:C-7', since: '2025-03-01T00:00:00Z', until: '2025-03-31T00:00:00Z' },
    ], 5)).toEqual([[docs[1]!.id], [docs[0]!.id]]);
    // Rows written after the migration carry their key, and a re-upsert recomputes it.
    expect(await index.upsert([{ ...docs[2]!, author: { handle: 'cat' } }])).toEqual({ created: 0, updated: 1 });
    expect(db.prepare('SELECT author_key FROM feedback WHERE rid = 3').pluck().get()).toBe('author:twitter:cat');
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

describe('SqliteFeedbackIndex snapshots of its in-memory columns', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'allears-sqlite-snapshot-'));
    file = join(dir, 'allears.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const facetsOf = async (index: SqliteFeedbackIndex) =>
    (await index.search({ facets: ['channel', 'topic', 'dim.store', 'sentiment'], limit: 500 })).facets;

  test('should reopen from a snapshot plus the rows written after it, as a full rebuild would', async () => {
    const db = openDb(file);
    const index = new SqliteFeedbackIndex(db, { snapshotMinDocs: 0 });
    const items = Array.from({ length: 30 }, (_, i) => makeFeedback({
      channel: i % 2 ? 'social' : 'review', dimensions: { store: `s${i % 3}` },
      analysis: { topics: ['a', 'b', 'c', 'd', 'e'].slice(0, i % 6).map((id) => ({ id, score: 0.5 })) },
    }));
    await index.upsert(items);
    await index.close(); // saves the snapshot
    expect(db.prepare('SELECT seq FROM feedback_snapshot').pluck().get()).toBe(30);
    // Written after the snapshot by another connection: caught up from `seq`.
    const other = openDb(file);
    const late = makeFeedback({ channel: 'news', text: 'written later', dimensions: { store: 'new' } });
    await new SqliteFeedbackIndex(other, { snapshotMinDocs: Infinity }).upsert([late]);
    await new SqliteFeedbackIndex(other, { snapshotMinDocs: Infinity }).patch(items[0]!.id, { labels: { sentiment: 'positive' } });
    other.close();
    db.close();

    const fromSnapshot = new SqliteFeedbackIndex(openDb(file), { snapshotMinDocs: 0 });
    const db2 = openDb(file);
    db2.prepare('DELETE FROM feedback_snapshot').run();
    const rebuilt = new SqliteFeedbackIndex(db2, { snapshotMinDocs: Infinity });
    expect(await facetsOf(fromSnapshot)).toEqual(await facetsOf(rebuilt));
    expect(await fromSnapshot.count()).toBe(31);
    expect((await fromSnapshot.get(late.id))?.text).toBe('written later');
    expect(await fromSnapshot.count({ filters: { sentiment: ['positive'] } })).toBe(1);
    expect(await fromSnapshot.count({ filters: { corrected: ['sentiment'] } })).toBe(1);
    // Ids restored from the snapshot still resolve, so re-upserting creates nothing.
    expect(await fromSnapshot.upsert(items)).toEqual({ created: 0, updated: 30 });
    db2.close();
  });

  test('should keep which labels people corrected in a snapshot', async () => {
    const db = openDb(file);
    const index = new SqliteFeedbackIndex(db, { snapshotMinDocs: 0 });
    const items = [makeFeedback(), makeFeedback(), makeFeedback()];
    await index.upsert(items);
    await index.patch(items[0]!.id, { labels: { topics: [] } });
    await index.patch(items[1]!.id, { labels: { escalationLevel: 'high', complaint: false } });
    await index.close();
    const reopened = new SqliteFeedbackIndex(db, { snapshotMinDocs: 0 });
    expect(await reopened.count({ filters: { corrected: ['topics'] } })).toBe(1);
    expect(await reopened.count({ filters: { corrected: ['complaint', 'touchpoint'] } })).toBe(1);
    expect(await reopened.count({ filters: { corrected: ['sentiment'] } })).toBe(0);
    db.close();
  });

  test('should ignore a damaged snapshot and rebuild', async () => {
    const db = openDb(file);
    const index = new SqliteFeedbackIndex(db, { snapshotMinDocs: 0 });
    await index.upsert([makeFeedback(), makeFeedback()]);
    await index.close();
    db.prepare("UPDATE feedback_snapshot SET data = x'00'").run();
    expect(await new SqliteFeedbackIndex(db).count()).toBe(2);
    db.close();
  });
});
