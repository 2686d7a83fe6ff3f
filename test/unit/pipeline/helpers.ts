import { loadConfig } from '../../../config/load.ts';
import type { Config } from '../../../config/schema.ts';
import { RawItem, type RawItemInput } from '../../../model/index.ts';
import { toDraft } from '../../../pipeline/draft.ts';
import type { Draft, Stage, StageContext } from '../../../pipeline/stage.ts';
import type { Fingerprint } from '../../../store/ports.ts';

/** The shipped default config, loaded once; tests never depend on the environment. */
export const config: Config = loadConfig({ env: {} });

let seq = 0;
/** A draft as the runner makes it, from a raw item with sensible defaults. */
export function draft(input: Partial<RawItemInput> & { text?: string } = {}): Draft {
  seq++;
  const raw = RawItem.parse({
    source: { id: 'test', kind: 'test' },
    channel: 'social',
    externalId: `item-${seq}`,
    publishedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
    ...input,
  });
  return toDraft(raw, '2025-01-02T00:00:00.000Z');
}

/** A fingerprint index answering from a fixed map of probe id → earlier id, recording the probes. */
export function fakeFingerprints(answers: Record<string, string> = {}) {
  const probes: Fingerprint[] = [];
  return {
    probes,
    async match(batch: readonly Fingerprint[]): Promise<Map<string, string>> {
      probes.push(...batch);
      return new Map(batch.flatMap((p) => (answers[p.id] ? [[p.id, answers[p.id]!] as const] : [])));
    },
  };
}

export function context(overrides: Partial<StageContext> = {}): StageContext {
  return { config, fingerprints: fakeFingerprints(), now: new Date('2025-01-02T00:00:00Z'), ...overrides };
}

/** Run stages in order over a batch, as the runner does. */
export async function run(stages: readonly Stage[], batch: Draft[], ctx: StageContext = context()): Promise<Draft[]> {
  let out = batch;
  for (const s of stages) out = await s.run(out, ctx);
  return out;
}
