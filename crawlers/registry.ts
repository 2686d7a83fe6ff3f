import type { SourceFactory } from './source.ts';
import { demoSource } from './demo/source.ts';
import { hnSource } from './hn/source.ts';
import { rssSource } from './rss/source.ts';

/** Source kinds by name, as written in config `sources[].kind`. */
export const SOURCE_KINDS: Readonly<Record<string, SourceFactory>> = {
  demo: demoSource,
  rss: rssSource,
  hn: hnSource,
};
