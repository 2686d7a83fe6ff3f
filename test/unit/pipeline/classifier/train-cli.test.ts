import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runEval } from '../../../../cli/commands/eval.ts';
import { runTrain } from '../../../../cli/commands/train.ts';
import { splitDeterministic } from '../../../../pipeline/nlp/classifier/index.ts';
import { toyExamples } from './toy-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'allears-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const csvPath = join(dir, 'labelled.csv');
const rows = [...toyExamples('en', 100, 21), ...toyExamples('zh', 100, 22)];
writeFileSync(csvPath, ['id,comment,label', ...rows.map((r, i) => `${i},"${r.text}",${r.label}`), '999,,positive'].join('\n'));

const sink = () => {
  let text = '';
  return { write: (s: string) => (text += s), get text() { return text; } };
};

describe('allears train / eval', () => {
  test('should train on 80%, report the held-out 20% and write the model file', async () => {
    const out = sink();
    const modelPath = join(dir, 'models', 'sentiment.json');
    const r = await runTrain({ task: 'sentiment', data: csvPath, textCol: 'comment', labelCol: 'label', out: modelPath, epochs: '4' }, out);
    expect(r.trainRows).toBe(160);
    expect(r.testRows).toBe(40);
    expect(r.skipped).toBe(1);
    expect('accuracy' in r.metrics && r.metrics.accuracy).toBe(1);
    expect(out.text).toContain('accuracy 100.0%');
    expect(out.text).toContain(`model written to ${modelPath}`);
    const file = JSON.parse(readFileSync(modelPath, 'utf8')) as { task: string; card: { data: { rows: number } } };
    expect(file.task).toBe('sentiment');
    expect(file.card.data.rows).toBe(160);

    const evalOut = sink();
    const m = await runEval({ task: 'sentiment', model: modelPath, data: csvPath, textCol: 'comment', labelCol: 'label' }, evalOut);
    expect(m.n).toBe(200);
    expect(evalOut.text).toMatch(/confusion/);
    await expect(runEval({ task: 'topics', model: modelPath, data: csvPath, textCol: 'comment', labelCol: 'label' }, sink())).rejects.toThrow(/"sentiment" model, not "topics"/);
  });

  test('should refuse an unknown task, missing options and a missing column, naming each', async () => {
    await expect(runTrain({ task: 'mood', data: csvPath, textCol: 'comment', labelCol: 'label' }, sink())).rejects.toMatchObject({ details: [{ path: 'task' }] });
    await expect(runTrain({ task: 'sentiment' }, sink())).rejects.toMatchObject({ details: [{ path: 'data' }, { path: 'textCol' }, { path: 'labelCol' }] });
    await expect(runTrain({ task: 'sentiment', data: csvPath, textCol: 'text', labelCol: 'label' }, sink())).rejects.toThrow(/no column "text"/);
  });

  test('splitDeterministic should hold out the same 20% every time', () => {
    const xs = Array.from({ length: 101 }, (_, i) => i);
    const a = splitDeterministic(xs, 3);
    expect(a.test.length).toBe(20);
    expect(a).toEqual(splitDeterministic(xs, 3));
    expect(a.test).not.toEqual(splitDeterministic(xs, 4).test);
    expect([...a.train, ...a.test].sort((x, y) => x - y)).toEqual(xs);
  });
});
