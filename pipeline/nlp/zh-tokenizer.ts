import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

/**
 * Word segmentation for Chinese, for what needs words rather than characters: features for the
 * trained classifiers that will replace the v1 rules. The v1 stages match their lexicons as
 * substrings instead, because segmentation costs 30–70 µs per post.
 */
let instance: Jieba | null = null;

/** The shared jieba segmenter with the default dictionary, loaded on first use (~150 ms). */
export function jieba(): Jieba {
  instance ??= Jieba.withDict(dict);
  return instance;
}

/** Precise-mode segmentation. Whitespace tokens are dropped. */
export function cutZh(text: string): string[] {
  const out = jieba().cut(text, true);
  let w = 0;
  for (let i = 0; i < out.length; i++) {
    const t = out[i]!;
    if (t.trim() !== '') out[w++] = t;
  }
  out.length = w;
  return out;
}

/** Search-mode segmentation (long words also split into their parts), for indexing. */
export function cutZhForSearch(text: string): string[] {
  return jieba().cutForSearch(text, true).filter((t) => t.trim() !== '');
}
