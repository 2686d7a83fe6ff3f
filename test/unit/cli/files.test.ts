import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  createProgress, describeErrors, parseDateTime, parseMapping, parseNumber, readRecords, toRawItem,
  type ReadRecordsOptions, type RecordEntry,
} from '../../../cli/files/index.ts';
import { ValidationError } from '../../../model/index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'allears-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function readAll(path: string, opts?: ReadRecordsOptions): Promise<RecordEntry[]> {
  const out: RecordEntry[] = [];
  for await (const entry of readRecords(path, opts)) out.push(entry);
  return out;
}

describe('readRecords: CSV', () => {
  test('reads quoted multi-line fields, doubled quotes and a BOM, numbering records by their first line', async () => {
    const path = await file('reviews.csv', '\uFEFFid,text,date\r\n1,"arrived late,\r\nbox crushed",2025-03-01\r\n\r\n2,"he said ""sorry""",2025-03-02\r\n3,快递三天了还没到,2025-03-03\r\n');
    expect(await readAll(path)).toEqual([
      { line: 2, record: { id: '1', text: 'arrived late,\r\nbox crushed', date: '2025-03-01' } },
      { line: 5, record: { id: '2', text: 'he said "sorry"', date: '2025-03-02' } },
      { line: 6, record: { id: '3', text: '快递三天了还没到', date: '2025-03-03' } },
    ]);
  });

  test('reports a broken record with its line and reads the rest', async () => {
    const path = await file('broken.csv', 'id,text\n1,"two\nlines"\n2,too,many,fields\n3,5" screen is fine\n4,"never closed\n5,lost\n');
    expect(await readAll(path)).toEqual([
      { line: 2, record: { id: '1', text: 'two\nlines' } },
      { line: 4, error: expect.stringMatching(/^invalid CSV \(.*columns/) },
      { line: 5, record: { id: '3', text: '5" screen is fine' } },
      { line: 6, error: expect.stringMatching(/^invalid CSV \(Quote Not Closed/) },
    ]);
  });

  test('guesses a semicolon delimiter, reads .tsv with tabs, and names columns by position without a header', async () => {
    const semi = await file('export.csv', 'text;store\nbon produit;Paris\n');
    expect(await readAll(semi)).toEqual([{ line: 2, record: { text: 'bon produit', store: 'Paris' } }]);
    const tsv = await file('export.tsv', 'text\tstore\na, b\tSH-1\n');
    expect(await readAll(tsv)).toEqual([{ line: 2, record: { text: 'a, b', store: 'SH-1' } }]);
    const bare = await file('bare.csv', 'x,y\nz,w\n');
    expect(await readAll(bare, { header: false })).toEqual([
      { line: 1, record: { 1: 'x', 2: 'y' } },
      { line: 2, record: { 1: 'z', 2: 'w' } },
    ]);
  });

  test('decodes legacy Chinese encodings such as GBK', async () => {
    // "text\n你好\n" in GBK.
    const path = await file('gbk.csv', new Uint8Array([0x74, 0x65, 0x78, 0x74, 0x0a, 0xc4, 0xe3, 0xba, 0xc3, 0x0a]));
    expect(await readAll(path, { encoding: 'gbk' })).toEqual([{ line: 2, record: { text: '你好' } }]);
    await expect(readAll(path, { encoding: 'klingon' })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('readRecords: JSON', () => {
  test('JSON Lines: a broken line is reported with its number and the rest is read', async () => {
    const path = await file('feed.jsonl', '{"text":"one"}\n\n{"text": "two",\n[1,2]\n{"text":"three"}');
    expect(await readAll(path)).toEqual([
      { line: 1, record: { text: 'one' } },
      { line: 3, error: expect.stringMatching(/^invalid JSON \(.+\)$/) },
      { line: 4, error: 'expected a JSON object, got an array' },
      { line: 5, record: { text: 'three' } },
    ]);
  });

  test('a JSON array is read element by element, across read chunks, with braces inside strings', async () => {
    const records = Array.from({ length: 3000 }, (_, i) => ({ id: i, text: `item ${i} {not a brace} "quoted" ] ${'x'.repeat(200)}`, nested: { a: [1, { b: '}' }] } }));
    const path = await file('big.json', `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`);
    const read = await readAll(path);
    expect(read).toHaveLength(3000);
    expect(read[2999]).toEqual({ line: 3001, record: records[2999] });
    expect(read.every((e, i) => e.record?.id === i)).toBe(true);
  });

  test('a broken element of a JSON array is reported and the next one read', async () => {
    const path = await file('items.json', '[\n  {"text": "ok"},\n  {"text": },\n  42,\n  {"text": "also ok"}\n]');
    expect(await readAll(path)).toEqual([
      { line: 2, record: { text: 'ok' } },
      { line: 3, error: expect.stringMatching(/^invalid JSON/) },
      { line: 4, error: 'expected a JSON object, got "42"' },
      { line: 5, record: { text: 'also ok' } },
    ]);
  });

  test('refuses a file whose format it cannot tell, and reports bytes read for progress', async () => {
    await expect(readAll(await file('notes.txt', 'hello'))).rejects.toThrow(/format/);
    const path = await file('data.ndjson', '{"a":1}\n{"a":2}\n');
    const seen: number[] = [];
    await readAll(path, { onBytes: (read, total) => seen.push(read / total) });
    expect(seen.at(-1)).toBe(1);
    expect((await stat(path)).size).toBe(16);
  });
});

describe('parseMapping and toRawItem', () => {
  const at = (line: number) => ({ file: '/exports/reviews-2025.csv', line });

  test('recognises common column names and applies --set values', () => {
    const mapping = parseMapping([], ['channel=review', 'source.id=import-2025', 'dimensions.campaign=spring']);
    const { item, errors } = toRawItem(
      { ID: '981', Body: 'Kettle arrived broken', Subject: 'Broken', 'Created At': '2025-03-01 08:00:00', user: 'amy', followers: '1.2k', 'dimensions.store': 'SH-1' },
      mapping, at(2),
    );
    expect(errors).toBeUndefined();
    expect(item).toMatchObject({
      source: { id: 'import-2025', kind: 'file', name: 'reviews-2025.csv' },
      channel: 'review',
      initiator: 'customer',
      externalId: '981',
      title: 'Broken',
      text: 'Kettle arrived broken',
      publishedAt: '2025-03-01T08:00:00.000Z',
      author: { handle: 'amy', followers: 1200 },
      dimensions: { store: 'SH-1', campaign: 'spring' },
    });
  });

  test('explicit --map pairs win, reach into nested JSON, and build survey answers', () => {
    const mapping = parseMapping(
      ['text=comment_text', 'publishedAt=ts', 'author.handle=user.screen_name', 'dimensions.store=store_id', 'survey.score=nps'],
      ['survey.metric=nps', 'survey.touchpoint=delivery'],
    );
    const { item } = toRawItem({ comment_text: 'Driver was lovely', ts: 1740816000, user: { screen_name: 'amy' }, store_id: 'SH-1', nps: '9' }, mapping, at(7));
    expect(item).toMatchObject({
      channel: 'survey',
      initiator: 'company',
      text: 'Driver was lovely',
      publishedAt: '2025-03-01T08:00:00.000Z',
      author: { handle: 'amy' },
      survey: { survey: 'import-reviews-2025', metric: 'nps', touchpoint: 'delivery', score: 9 },
      dimensions: { store: 'SH-1' },
    });
  });

  test('gives records without an id a stable external id from the file name and line', () => {
    const mapping = parseMapping([], ['channel=email']);
    const a = toRawItem({ text: 'hi', date: '2025-03-01' }, mapping, at(12)).item!;
    expect(a.externalId).toBe('reviews-2025.csv:12');
    expect(toRawItem({ text: 'hi', date: '2025-03-01' }, mapping, at(12)).item!.externalId).toBe(a.externalId);
  });

  test('names the field and the line of every problem in a record', () => {
    const mapping = parseMapping([], ['channel=review']);
    const { item, errors } = toRawItem({ text: '', date: 'yesterday', likes: 'lots' }, mapping, at(12));
    expect(item).toBeUndefined();
    const lines = describeErrors(12, errors!);
    expect(lines).toContain('line 12: publishedAt: must be an ISO 8601 date-time such as 2025-03-01T08:00:00Z (got "yesterday")');
    expect(lines).toContain('line 12: engagement.likes: expected a number (got "lots")');
    expect(lines.find((l) => l.startsWith('line 12: text: must not be empty'))).toBeDefined();
  });

  test('says how to fix a missing channel or a mapped column that is not there', () => {
    const { errors } = toRawItem({ body: 'hello', date: '2025-03-01' }, parseMapping(), at(3));
    expect(describeErrors(3, errors!)).toEqual(['line 3: channel: missing; map a column with --map channel=COLUMN or give one with --set channel=review']);
    const typo = toRawItem({ body: 'hello', date: '2025-03-01' }, parseMapping(['text=bdy'], ['channel=chat']), at(4));
    expect(describeErrors(4, typo.errors!)[0]).toMatch(/^line 4: text: must not be empty.*no column "bdy"/);
  });

  test('reports every bad --map and --set argument at once', () => {
    let err: unknown;
    try {
      parseMapping(['txt=body', 'nonsense', 'text=a'], ['channel=tweet', 'text=b']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const details = (err as ValidationError).details;
    expect(details.map((d) => d.path)).toEqual(['--map nonsense', '--map txt=body', '--set channel=tweet', '--set text=b']);
    expect(details[1]!.message).toContain('did you mean "text"');
  });

  test('imports a CSV end to end, skipping bad lines with a readable reason', async () => {
    const path = await file('tickets.csv', 'id,content,created_at\n1,Refund still missing,2025/3/1\n2,,2025/3/2\n3,"退款还没到账，要找消协",1740816000000\n');
    const mapping = parseMapping([], ['channel=complaint']);
    const items = [];
    const problems: string[] = [];
    for await (const entry of readRecords(path)) {
      if (entry.error !== undefined) {
        problems.push(`line ${entry.line}: ${entry.error}`);
        continue;
      }
      const { item, errors } = toRawItem(entry.record, mapping, { file: path, line: entry.line });
      if (item) items.push(item);
      else problems.push(...describeErrors(entry.line, errors!));
    }
    expect(items.map((i) => i.text)).toEqual(['Refund still missing', '退款还没到账，要找消协']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^line 3: text: must not be empty/);
  });
});

describe('coercions', () => {
  test.each([
    ['2025-03-01 08:00:00', '2025-03-01T08:00:00.000Z'],
    ['2025/3/1', '2025-03-01T00:00:00.000Z'],
    ['2025年3月1日 08:00', '2025-03-01T08:00:00.000Z'],
    ['2025-03-01T08:00:00+08:00', '2025-03-01T00:00:00.000Z'],
    ['2015-02-24 11:35:52 -0800', '2015-02-24T19:35:52.000Z'],
    ['Tue Oct 31 22:10:47 +0000 2017', '2017-10-31T22:10:47.000Z'],
    ['3/1/2025', '2025-03-01T00:00:00.000Z'],
    ['1740816000', '2025-03-01T08:00:00.000Z'],
    [1740816000000, '2025-03-01T08:00:00.000Z'],
    ['2025-02-30', undefined],
    ['yesterday', undefined],
  ])('date %j → %s', (input, expected) => {
    expect(parseDateTime(input)).toBe(expected);
  });

  test('dates without a zone are read in the given one', () => {
    expect(parseDateTime('2025-03-01 08:00', '+08:00')).toBe('2025-03-01T00:00:00.000Z');
  });

  test('numbers as sites show them', () => {
    expect([parseNumber('1,234'), parseNumber('1.2k'), parseNumber('3.4万'), parseNumber('n/a')]).toEqual([1234, 1200, 34000, undefined]);
  });
});

describe('createProgress', () => {
  const sink = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, stream: { isTTY, columns: 100, write: (s: string) => writes.push(s) } };
  };

  test('prints a plain line every interval when not on a terminal', () => {
    let t = 0;
    const { writes, stream } = sink(false);
    const p = createProgress({ label: 'import', totalBytes: 1000, stream, intervalMs: 5000, now: () => t });
    t = 1000;
    p.tick(100, 100);
    expect(writes).toEqual([]);
    t = 5000;
    p.tick(400, 500);
    expect(writes).toEqual(['import: 50% · 500 items · 100/s · ETA 0:05\n']);
    t = 10_000;
    p.done();
    expect(writes.at(-1)).toBe('import: 500 items in 10.0s (50/s)\n');
  });

  test('draws a bar in place on a terminal', () => {
    let t = 0;
    const { writes, stream } = sink(true);
    const p = createProgress({ label: 'import', total: 200, stream, now: () => t });
    t = 1000;
    p.tick(50);
    expect(writes[0]).toMatch(/^\rimport \[######-+\]  25% 50\/200 items · 50\/s · ETA 0:03\x1b\[K$/);
    p.done('done');
    expect(writes.at(-1)).toBe('\rimport: done\x1b[K\n');
  });
});
