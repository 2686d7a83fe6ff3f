/**
 * What a shipped model would score with other training settings, without writing anything: builds
 * the model of each spec (scripts/model-specs.ts) in memory, as scripts/build-models.ts does, with
 * its preset and with the preset plus the given overrides, and prints both held-out logs. For
 * reporting a candidate already chosen by cross-validation, not for choosing one.
 *
 * Run: node --import tsx scripts/tune-shipped.ts --only sentiment-zh --with '{"nb":{}}'
 */
import { SET_TRAINING, type SetTraining } from '../pipeline/nlp/classifier/index.ts';
import { buildModel } from './build-models.ts';
import { MODEL_SPECS } from './model-specs.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const only = arg('only');
const overrides = JSON.parse(arg('with') ?? '{}') as SetTraining;
const presets = SET_TRAINING as Record<string, SetTraining>;
for (const spec of MODEL_SPECS) {
  if (only && !spec.file.includes(only)) continue;
  const preset = presets[spec.preset]!;
  for (const [name, training] of [['preset', preset], ['with overrides', { ...preset, ...overrides }]] as const) {
    presets[spec.preset] = training;
    const { log } = await buildModel(spec, new Date(0));
    console.log(`${name}:`);
    for (const l of log) console.log(`  ${l}`);
  }
  presets[spec.preset] = preset;
}
