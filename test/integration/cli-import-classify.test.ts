import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../config/logger.ts';
import { openRuntime } from '../../cli/runtime.ts';
import { saveModel } from '../../pipeline/nlp/classifier/model-file.ts';
import { trainClassifier } from '../../pipeline/nlp/classifier/train.ts';
import { toyExamples } from '../unit/pipeline/classifier/toy-data.ts';
import { ROOT, writeConfig } from '../helpers/server.ts';
import { tempDir } from '../helpers/tmp.ts';

function allears(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], {
    cwd: ROOT, env: { ...process.env, ALLEARS_LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 60_000,
  });
}

describe('allears import and classify', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  test('import maps columns, refuses bad lines by number and field, and indexes the rest', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const csv = join(t.dir, 'reviews.csv');
    writeFileSync(csv, [
      'review_id,body,created_at,stars,store',
      'r1,"The parcel came late, and the box was crushed.",2025-03-01 08:00:00,2,S-01',
      'r2,快递太慢了，客服也不回复,2025/3/2,1,S-02',
      'r3,,2025-03-03,5,S-01',
      'r4,"Great service, multi-line',
      'review that continues here",2025-03-04T10:00:00Z,5,S-03',
      'r5,Lovely staff,not a date,4,S-01',
    ].join('\n'));
    const env = { ALLEARS_DATA_DIR: t.dir, ALLEARS_CONFIG: writeConfig(t.dir, (c) => { c.sources = []; }) };
    const r = allears(['import', csv, '--map', 'externalId=review_id', '--map', 'text=body', '--map', 'publishedAt=created_at',
      '--map', 'dimensions.store=store', '--set', 'channel=review', '--set', 'source.id=reviews-2025', '--set', 'source.kind=file'], env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('3 items accepted, 2 lines refused');
    expect(r.stderr).toMatch(/line 4: text: must not be empty/);
    expect(r.stderr).toMatch(/line 7: publishedAt: /);

    const rt = await openRuntime(loadConfig({ env: {}, overrides: { deployment: { dataDir: t.dir }, sources: [] } }), createLogger('silent'));
    try {
      const res = await rt.index.search({ filters: { source: ['reviews-2025'], includeDuplicates: true }, facets: ['dim.store', 'lang'] });
      expect(res.total).toBe(3);
      expect(res.facets['lang']).toEqual(expect.arrayContaining([{ value: 'zh', count: 1 }, { value: 'en', count: 2 }]));
      expect((await rt.index.search({ q: '快递', filters: { source: ['reviews-2025'] } })).total).toBe(1);
    } finally {
      await rt.close();
    }
  }, 90_000);

  test('classify writes one analysis per input line, in order, and stores nothing', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const input = join(t.dir, 'in.jsonl');
    const out = join(t.dir, 'out.jsonl');
    writeFileSync(input, [
      JSON.stringify({ review: 'I will report you to the CFPB and call my lawyer, this overcharge is a scam.' }),
      '{"review": broken',
      JSON.stringify({ review: '东西很好，物流很快，非常满意' }),
      JSON.stringify({ review: '' }),
    ].join('\n'));
    const r = allears(['classify', input, '--text-col', 'review', '--out', out], { ALLEARS_DATA_DIR: t.dir });
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4]);
    expect(lines[0]).toMatchObject({ lang: 'en', sentiment: { label: 'negative' }, complaint: { is: true } });
    expect(['high', 'critical']).toContain(lines[0].escalation.level);
    expect(lines[0].escalation.signals.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['regulator', 'legal']));
    expect(lines[1].error).toMatch(/JSON/);
    expect(lines[2]).toMatchObject({ lang: 'zh', sentiment: { label: 'positive' } });
    expect(lines[3].error).toMatch(/text: must not be empty/);
  }, 60_000);

  test('classify --model uses a trained model and names its version on each line', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const model = join(t.dir, 'sentiment.json');
    await saveModel(trainClassifier(toyExamples('en', 400, 5), { task: 'sentiment' }), model);
    const input = join(t.dir, 'in.jsonl');
    const tests = toyExamples('en', 20, 77);
    writeFileSync(input, tests.map((e) => JSON.stringify({ text: e.text })).join('\n'));
    const out = join(t.dir, 'out.jsonl');
    const r = allears(['classify', input, '--model', `sentiment.en=${model}`, '--out', out], { ALLEARS_DATA_DIR: t.dir });
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.every((l) => /^en=textclf-1:sentiment:/.test(l.models.sentiment))).toBe(true);
    const correct = lines.filter((l, i) => l.sentiment.label === tests[i]!.label).length;
    expect(correct).toBeGreaterThanOrEqual(18);
    const bad = allears(['classify', input, '--model', 'colour=red'], { ALLEARS_DATA_DIR: t.dir });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--model');
  }, 60_000);
});
