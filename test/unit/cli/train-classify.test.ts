import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { trainEscalationBundle } from '../../../pipeline/stages/escalation.ts';
import { trainTopicBundle } from '../../../pipeline/stages/topics.ts';
import { ROOT } from '../../helpers/server.ts';
import { tempDir } from '../../helpers/tmp.ts';

const t = tempDir('allears-train-classify-');
afterAll(t.cleanup);

const allears = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], {
  cwd: ROOT, env: { ...process.env, ALLEARS_LOG_LEVEL: 'warn', ALLEARS_DATA_DIR: t.dir }, encoding: 'utf8', timeout: 60_000,
});

describe('allears classify with topics and escalation models', () => {
  test('writes lang, sentiment, complaint, topics and escalation per row, in input order, naming the model versions', async () => {
    const topicRows = Array.from({ length: 200 }, (_, i) => (i % 2
      ? { text: `the screen ${['cracked', 'flickers', 'dim', 'dead'][i % 4]} display again`, labels: ['screen'] }
      : { text: `the battery ${['drains', 'swollen', 'dies', 'weak'][i % 4]} charging again`, labels: ['battery'] }));
    const topics = trainTopicBundle(topicRows, topicRows.slice(0, 40), { task: 'topics', featureOptions: { bits: 12 } });
    const sevRows = Array.from({ length: 300 }, (_, i) => ({ text: ['hello a question about my order', 'my order is stuck waiting', 'you are thieves and liars, disgraceful'][i % 3]!, label: String(i % 3) }));
    const escalation = trainEscalationBundle(sevRows, { task: 'escalation', featureOptions: { bits: 12 } });
    await topics.save(join(t.dir, 'topics.json'));
    await escalation.save(join(t.dir, 'escalation.json'));
    const input = join(t.dir, 'in.jsonl');
    writeFileSync(input, [
      { text: 'The battery drains overnight and you are thieves and liars' },
      { text: 'Hello, a question about my order' },
      { text: 'The screen flickers and the parcel is late' },
    ].map((r) => JSON.stringify(r)).join('\n'));
    const out = join(t.dir, 'out.jsonl');
    const r = allears(['classify', input, '--model', `topics=${join(t.dir, 'topics.json')}`, '--model', `escalation.en=${join(t.dir, 'escalation.json')}`, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3]);
    for (const l of lines) {
      expect(l).toMatchObject({ lang: 'en', sentiment: { label: expect.any(String), score: expect.any(Number), confidence: expect.any(Number) }, complaint: { is: expect.any(Boolean), probability: expect.any(Number) } });
      for (const s of l.escalation.signals) expect(Object.keys(s).sort()).toEqual(['evidence', 'id', 'weight']);
    }
    expect(lines[0].topics.map((x: { id: string }) => x.id)).toContain('battery');
    expect(lines[2].topics.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining(['screen', 'delivery']));
    const model = lines[0].escalation.signals.find((s: { id: string }) => s.id === 'model');
    expect(model.evidence).toMatch(/"thieves"|"liars"/);
    expect(lines[0].escalation.score).toBeGreaterThan(lines[1].escalation.score);
    expect(lines[0].models).toMatchObject({ topics: expect.stringContaining(topics.version), escalationModel: `en=${escalation.version}` });
  }, 90_000);

  test('refuses a --model spec for an unknown task', () => {
    const input = join(t.dir, 'one.jsonl');
    writeFileSync(input, JSON.stringify({ text: 'hi' }));
    const r = allears(['classify', input, '--model', 'mood=x.json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/"mood=x\.json": expected TASK=FILE/);
  }, 60_000);
});
