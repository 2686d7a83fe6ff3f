import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../config/load.ts';
import { runEval } from '../../../cli/commands/eval.ts';
import { positiveLevels, rocAuc, runTrain } from '../../../cli/commands/train.ts';
import { mulberry32 } from '../../../pipeline/nlp/classifier/hash.ts';
import { tempDir } from '../../helpers/tmp.ts';

const t = tempDir('allears-train-tasks-');
afterAll(t.cleanup);

const sink = () => {
  let text = '';
  return { write: (s: string) => (text += s), get text() { return text; } };
};

const FILLER = ['the', 'my', 'order', 'today', 'again', 'was', 'and', 'it', 'so', 'is', 'with', 'a'];
const TOPIC_WORDS: Record<string, string[]> = { delivery: ['courier', 'parcel', 'tracking', 'shipped'], billing: ['invoice', 'charged', 'fee', 'bill'], app: ['login', 'crash', 'password', 'update'] };
const SEVERITY_WORDS = [['question', 'hello', 'wondering'], ['waiting', 'stuck', 'issue'], ['disgraceful', 'thieves', 'liars']];

function csvFiles(): { topics: string; escalation: string } {
  const r = mulberry32(3);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const ids = Object.keys(TOPIC_WORDS);
  const topicRows = Array.from({ length: 300 }, (_, i) => {
    const labels = i % 3 === 0 ? [pick(ids), pick(ids)] : [pick(ids)];
    const text = [pick(FILLER), ...labels.flatMap((l) => [pick(TOPIC_WORDS[l]!), pick(TOPIC_WORDS[l]!)]), pick(FILLER)].join(' ');
    // The three spellings of a multi-label cell, in turn.
    const cell = i % 3 === 0 ? JSON.stringify([...new Set(labels)]).replace(/"/g, '""') : [...new Set(labels)].join(i % 2 ? '|' : ';');
    return `${i},"${text}","${cell}"`;
  });
  const escalationRows = Array.from({ length: 300 }, (_, i) => {
    const sev = i % 3;
    return `${i},"${[pick(FILLER), pick(SEVERITY_WORDS[sev]!), pick(FILLER), pick(SEVERITY_WORDS[sev]!)].join(' ')}",${sev}`;
  });
  const topics = join(t.dir, 'topics.csv');
  const escalation = join(t.dir, 'severity.csv');
  writeFileSync(topics, ['id,text,topics', ...topicRows, '999,"no label here",'].join('\n'));
  writeFileSync(escalation, ['id,text,severity', ...escalationRows].join('\n'));
  return { topics, escalation };
}

const files = csvFiles();

describe('allears train / eval for topics and escalation', () => {
  test('topics: trains one-vs-rest from |, ; and JSON-array cells, reports per-topic scores, and eval reads the model back', async () => {
    const out = sink();
    const model = join(t.dir, 'models', 'topics.json');
    const r = await runTrain({ task: 'topics', data: files.topics, textCol: 'text', labelCol: 'topics', out: model, epochs: '6' }, out);
    expect(r.trainRows).toBe(240);
    expect(r.testRows).toBe(60);
    expect(r.skipped).toBe(1);
    expect(out.text).toMatch(/subset accuracy \d+\.\d%   micro-F1 \d+\.\d%   macro-F1/);
    expect(out.text).toMatch(/^delivery\s+\d/m);
    expect('microF1' in r.metrics && r.metrics.microF1).toBeGreaterThan(0.9);
    const file = JSON.parse(readFileSync(model, 'utf8')) as { format: string; kind: string; labels: string[]; thresholds: Record<string, number> };
    expect(file).toMatchObject({ format: 'allears-multiclf-1', kind: 'one-vs-rest', labels: ['app', 'billing', 'delivery'] });
    expect(Object.keys(file.thresholds).sort()).toEqual(['app', 'billing', 'delivery']);

    const e = sink();
    const m = await runEval({ task: 'topics', model, data: files.topics, textCol: 'text', labelCol: 'topics' }, e);
    expect(m.n).toBe(300);
    expect(e.text).toContain(r.version);
    await expect(runEval({ task: 'escalation', model, data: files.topics, textCol: 'text', labelCol: 'topics' }, sink())).rejects.toThrow(/"topics" model, not "escalation"/);
  }, 60_000);

  test('escalation: trains the gated ordinal model, reports levels and AUC, and eval scores model and stage', async () => {
    const out = sink();
    const model = join(t.dir, 'models', 'escalation.json');
    const r = await runTrain({ task: 'escalation', data: files.escalation, textCol: 'text', labelCol: 'severity', out: model, epochs: '6' }, out);
    expect(r.auc).toBeGreaterThan(0.95);
    expect(out.text).toMatch(/confusion/);
    expect(out.text).toMatch(/ROC AUC of the risk for 2 against the rest: 0\.9\d\d|1\.000/);
    const file = JSON.parse(readFileSync(model, 'utf8')) as { kind: string; labels: string[]; card: { metrics: { accuracy: number } } };
    expect(file.kind).toBe('gated-ordinal');
    expect(file.labels).toEqual(['0', '1', '2']);
    expect(file.card.metrics.accuracy).toBeGreaterThan(0.8);

    const e = sink();
    const m = await runEval({ task: 'escalation', model, data: files.escalation, textCol: 'text', labelCol: 'severity', positive: '1,2' }, e, () => loadConfig({ env: {} }));
    expect(e.text).toContain('ROC AUC of the risk for 1, 2 against the rest');
    expect(e.text).toMatch(/ROC AUC of the escalation stage's score \(rules \+ this model\): 0\.\d{3}/);
    expect('stageAuc' in m && m.stageAuc).toBeGreaterThan(0.8);
  }, 60_000);

  test('refuses escalation labels it cannot order, and a test fraction out of range', async () => {
    await expect(runTrain({ task: 'escalation', data: files.topics, textCol: 'text', labelCol: 'topics' }, sink())).rejects.toThrow(/cannot order the escalation labels/);
    await expect(runTrain({ task: 'topics', data: files.topics, textCol: 'text', labelCol: 'topics', testFraction: '1' }, sink())).rejects.toMatchObject({ details: [{ path: 'testFraction' }] });
  });

  test('rocAuc counts ties as half and needs both classes; the positive levels default to the upper half', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBe(0.75);
    expect(rocAuc([0.5, 0.5], [true, false])).toBe(0.5);
    expect(rocAuc([0.2, 0.3], [true, true])).toBeNull();
    expect([...positiveLevels(['0', '1', '2', '3', '4'])]).toEqual(['3', '4']);
    expect([...positiveLevels(['0', '1'])]).toEqual(['1']);
    expect([...positiveLevels(['0', '1', '2'], '2')]).toEqual(['2']);
  });
});
