/**
 * The labelled sets in ../shared/data (see its README for sources and licences) as examples, for
 * bench:quality and for rebuilding the shipped models. Read at run time, never copied.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRecords } from '../cli/files/index.ts';
import type { Lang } from '../model/index.ts';
import { extractExamples, type Example } from '../pipeline/nlp/classifier/index.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DATA_DIR = resolve(ROOT, '../shared/data');

export type Kind = 'sentiment' | 'complaint' | 'topic';

export interface Source {
  file: string;
  textCol: string;
  labelCol: string;
  header?: boolean;
  keep?: (r: Record<string, unknown>) => boolean;
  /** Label names across sources that mean the same thing. */
  label?: (l: string) => string;
}

export interface BenchSet {
  name: string;
  lang: Lang;
  kind: Kind;
  sources: Source[];
  /** Labels meaning positive / negative (sentiment) or complaint / not (complaint), for the lexicon baselines. */
  positive?: string;
  negative?: string;
  neutral?: string;
  /** Accuracy to reach; 0 for none. */
  bar: number;
  /**
   * Other sets whose examples also train this one (never scored): only texts that appear nowhere in
   * this set, so nothing held out here is trained on through them.
   */
  augment?: string[];
  /** The bar is on macro-F1 as well / the set is skewed: say so beside the numbers. */
  note?: string;
}

/** CFPB renamed the product over the years; the 2025 narratives say "Credit card". */
const cfpbProduct = (l: string) => (l === 'Credit card' ? 'Credit card or prepaid card' : l);
const hasNarrative = (r: Record<string, unknown>) => String(r['Consumer complaint narrative'] ?? '').trim() !== '';

export const SETS: BenchSet[] = [
  { name: 'airline-sentiment', lang: 'en', kind: 'sentiment', sources: [{ file: 'airline/tweets.csv', textCol: 'text', labelCol: 'airline_sentiment' }], positive: 'positive', negative: 'negative', neutral: 'neutral', bar: 0.82 },
  { name: 'airline-reason', lang: 'en', kind: 'topic', sources: [{ file: 'airline/tweets.csv', textCol: 'text', labelCol: 'negativereason', keep: (r) => r.airline_sentiment === 'negative' }], bar: 0, note: '10 complaint reasons of negative tweets; skewed' },
  { name: 'complaints', lang: 'en', kind: 'complaint', sources: [{ file: 'escalation/complaints_social_media.csv', textCol: '2', labelCol: '3', header: false }], augment: ['xci-complaint'], positive: '1', negative: '0', bar: 0.82, note: 'also trained on the X-CI tweets that are not in this set (most X-CI tweets are)' },
  { name: 'xci-complaint', lang: 'en', kind: 'complaint', sources: [{ file: 'escalation/x-ci_complaint_severity.csv', textCol: 'tweet', labelCol: 'label' }], positive: '1', negative: '0', bar: 0 },
  {
    name: 'cfpb-product', lang: 'en', kind: 'topic', bar: 0.8, note: 'skewed (one product is about half): read macro-F1 too',
    sources: [
      { file: 'cfpb/complaints_sample_2020.csv', textCol: 'Consumer complaint narrative', labelCol: 'Product', keep: hasNarrative, label: cfpbProduct },
      { file: 'cfpb/creditcard_narratives_2025.csv', textCol: 'Consumer complaint narrative', labelCol: 'Product', keep: hasNarrative, label: cfpbProduct },
    ],
  },
  { name: 'hotel-sentiment', lang: 'zh', kind: 'sentiment', sources: [{ file: 'zh/chnsenticorp_htl.csv', textCol: 'review', labelCol: 'label' }], positive: '1', negative: '0', bar: 0.9 },
  { name: 'waimai-sentiment', lang: 'zh', kind: 'sentiment', sources: [{ file: 'zh/waimai_10k.csv', textCol: 'review', labelCol: 'label' }], positive: '1', negative: '0', bar: 0.9 },
  { name: 'ecommerce-sentiment', lang: 'zh', kind: 'sentiment', sources: [{ file: 'zh/online_shopping_10_cats.csv', textCol: 'review', labelCol: 'label' }], positive: '1', negative: '0', bar: 0.935 },
  { name: 'ecommerce-topic', lang: 'zh', kind: 'topic', sources: [{ file: 'zh/online_shopping_10_cats.csv', textCol: 'review', labelCol: 'cat' }], bar: 0.91 },
  { name: 'weibo-sentiment', lang: 'zh', kind: 'sentiment', sources: [{ file: 'zh/weibo_senti_subset.csv', textCol: 'review', labelCol: 'label' }], positive: '1', negative: '0', bar: 0 },
];

/** The examples of a set, in file order, source after source. */
export async function loadSet(set: BenchSet, dataDir = DATA_DIR): Promise<Example[]> {
  const out: Example[] = [];
  for (const src of set.sources) {
    const records: Record<string, unknown>[] = [];
    for await (const e of readRecords(join(dataDir, src.file), { header: src.header ?? true })) if (e.record && (!src.keep || src.keep(e.record))) records.push(e.record);
    const { examples } = extractExamples(records, src.textCol, src.labelCol);
    for (const e of examples) out.push(src.label ? { text: e.text, label: src.label(e.label) } : e);
  }
  return out;
}


/** Lower case, single spaces: the same tweet in two sets is one tweet. */
export const normText = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').trim();

/** Examples of `set.augment` whose text appears nowhere in `examples` (the whole set, both parts). */
export async function augmentation(set: BenchSet, examples: readonly Example[], dataDir = DATA_DIR): Promise<Example[]> {
  if (!set.augment?.length) return [];
  const seen = new Set(examples.map((e) => normText(e.text)));
  const out: Example[] = [];
  for (const name of set.augment) {
    const other = SETS.find((s) => s.name === name);
    if (!other) throw new Error(`${set.name}: no set "${name}" to augment from`);
    for (const e of await loadSet(other, dataDir)) {
      const k = normText(e.text);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(e);
      }
    }
  }
  return out;
}
