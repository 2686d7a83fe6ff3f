import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runTrain } from '../../../cli/commands/train.ts';
import { openRuntime } from '../../../cli/runtime.ts';
import { loadConfig } from '../../../config/load.ts';
import { createLogger } from '../../../config/logger.ts';
import type { Config } from '../../../config/schema.ts';
import type { RawItem } from '../../../model/index.ts';
import { toyExamples } from '../pipeline/classifier/toy-data.ts';
import { tempDir } from '../../helpers/tmp.ts';

const t = tempDir('allears-train-corrections-');
const config: Config = loadConfig({ env: {}, overrides: { deployment: { dataDir: t.dir, logLevel: 'silent' }, sources: [] } });
const sink = () => {
  let text = '';
  return { write: (s: string) => (text += s), get text() { return text; } };
};
const examples = toyExamples('en', 60, 9);

beforeAll(async () => {
  // 60 items in the store; people corrected 40 of them (sentiment on all 40, complaint and topics on some).
  const rt = await openRuntime(config, createLogger('silent'));
  try {
    const items: RawItem[] = examples.map((e, i) => ({
      source: { id: 'reviews', kind: 'file' }, channel: 'review', initiator: 'customer', externalId: `r${i}`, text: e.text,
      publishedAt: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
    }));
    const stored = await rt.runner.process(items, '2025-01-02T00:00:00Z');
    await rt.index.upsert(stored);
    for (let i = 0; i < 40; i++) {
      const e = examples[i]!;
      await rt.index.patch(stored[i]!.id, {
        labels: {
          sentiment: e.label as 'positive' | 'negative', correctedBy: 'ana',
          ...(i < 30 ? { complaint: e.label === 'negative' } : {}),
          ...(i < 30 ? { topics: e.label === 'negative' ? ['product-quality', 'refund'] : ['praise'] } : {}),
        },
      });
    }
  } finally {
    await rt.close();
  }
}, 60_000);
afterAll(t.cleanup);

describe('allears train --from-corrections', () => {
  test('trains sentiment on the corrected items only, and versions the model', async () => {
    const out = sink();
    const model = join(t.dir, 'sentiment.json');
    const r = await runTrain({ task: 'sentiment', fromCorrections: true, out: model, epochs: '6' }, out, () => config);
    expect(out.text).toContain('40 corrected items from the store');
    expect(r.trainRows + r.testRows).toBe(40);
    expect(r.metrics.n).toBe(8);
    const file = JSON.parse(readFileSync(model, 'utf8')) as { labels: string[]; card: { version: string; trainedAt: string; data: { file: string } } };
    expect(file.labels).toEqual(['negative', 'positive']);
    expect(file.card.data.file).toBe('corrections');
    expect(file.card.version).toMatch(/^textclf-1:sentiment:[0-9a-f]{8}$/);
    expect(r.version).toBe(file.card.version);
  }, 60_000);

  test('mixes corrections with a file, mapping the file\'s 0/1 complaint labels to the same names', async () => {
    const csv = join(t.dir, 'extra.csv');
    writeFileSync(csv, ['text,is_complaint', ...toyExamples('en', 50, 4).map((e) => `"${e.text}",${e.label === 'negative' ? 1 : 0}`)].join('\n'));
    const out = sink();
    const model = join(t.dir, 'complaint.json');
    const r = await runTrain({ task: 'complaint', fromCorrections: true, data: csv, textCol: 'text', labelCol: 'is_complaint', out: model, epochs: '6' }, out, () => config);
    expect(out.text).toContain('30 corrected items from the store plus 50 rows of');
    expect(r.trainRows + r.testRows).toBe(80);
    expect((JSON.parse(readFileSync(model, 'utf8')) as { labels: string[] }).labels).toEqual(['complaint', 'not_complaint']);
  }, 60_000);

  test('trains topics from corrected topic lists', async () => {
    const model = join(t.dir, 'topics.json');
    const r = await runTrain({ task: 'topics', fromCorrections: true, out: model, epochs: '6' }, sink(), () => config);
    expect(r.trainRows + r.testRows).toBe(30);
    expect((JSON.parse(readFileSync(model, 'utf8')) as { labels: string[] }).labels).toEqual(['praise', 'product-quality', 'refund']);
  }, 60_000);

  test('refuses escalation, and says so when nothing was corrected', async () => {
    await expect(runTrain({ task: 'escalation', fromCorrections: true }, sink(), () => config)).rejects.toMatchObject({ details: [{ path: 'task' }] });
    const empty = tempDir('allears-train-empty-');
    try {
      const c = loadConfig({ env: {}, overrides: { deployment: { dataDir: empty.dir, logLevel: 'silent' }, sources: [] } });
      await expect(runTrain({ task: 'sentiment', fromCorrections: true }, sink(), () => c)).rejects.toThrow(/no item in the store carries a corrected sentiment label/);
    } finally {
      empty.cleanup();
    }
  }, 60_000);
});
