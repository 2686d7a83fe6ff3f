import type { SourceFactory } from './source.ts';
import { demoSource } from './demo/source.ts';

/** Source kinds by name, as written in config `sources[].kind`. */
export const SOURCE_KINDS: Readonly<Record<string, SourceFactory>> = {
  demo: demoSource,
};
