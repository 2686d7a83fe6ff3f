import type { SourceConfig } from '../../config/schema.ts';
import type { Source } from '../source.ts';
import { DemoGenerator } from './generator.ts';

/** The demo source: generated mixed English and Chinese feedback, labelled as demo data. */
export function demoSource(config: SourceConfig): Source {
  const perRun = Number(config.options.itemsPerRun ?? 25);
  const chineseShare = Number(config.options.chineseShare ?? 0.4);
  const gen = new DemoGenerator({ seed: Number(config.options.seed ?? Date.now() % 1_000_000), chineseShare });
  return {
    id: config.id,
    kind: config.kind,
    async run() {
      return gen.next(perRun).map((item) => ({ ...item, source: { ...item.source, id: config.id } }));
    },
  };
}
