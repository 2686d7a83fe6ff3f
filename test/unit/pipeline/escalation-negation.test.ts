import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../../config/load.ts';
import { RawItem } from '../../../model/index.ts';
import { PipelineRunner } from '../../../pipeline/runner.ts';
import { defaultStages } from '../../../pipeline/stages/index.ts';

const config = loadConfig({ env: {}, overrides: { sources: [] } });
const runner = new PipelineRunner({ config, stages: defaultStages(config), fingerprints: { match: async () => new Map() } });

async function signals(text: string): Promise<string[]> {
  const [f] = await runner.process([RawItem.parse({ source: { id: 't', kind: 't' }, channel: 'social', externalId: text, text, publishedAt: '2025-03-01T00:00:00Z' })], new Date().toISOString());
  return f!.analysis.escalation.signals.map((s) => s.id);
}

describe('escalation keywords and negation', () => {
  test.each([
    ["I won't sue you, I just want my refund.", 'legal', false],
    ['I will never call a lawyer over this, just fix it.', 'legal', false],
    ["If you don't refund me I will sue.", 'legal', true],
    ['Refund me or I call my lawyer and the CFPB.', 'regulator', true],
    ['我不会起诉，只想退款。', 'legal', false],
    ['不退款我就去12315投诉！', 'regulator', true],
    ['再不处理我就起诉你们。', 'legal', true],
  ])('%s → %s signal: %s', async (text, id, expected) => {
    expect((await signals(text)).includes(id)).toBe(expected);
  });
});
