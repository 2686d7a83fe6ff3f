/**
 * The models shipped in models/: what each is trained on and with which settings. The shipped
 * config names these files; scripts/build-models.ts rebuilds them from ../shared/data.
 */
import type { Lang } from '../model/index.ts';

/** Paths relative to the project root, as the config names them. */
export const DEFAULT_MODEL_FILES = {
  sentimentEn: 'models/sentiment-en.json.gz',
  sentimentZh: 'models/sentiment-zh.json.gz',
  complaintEn: 'models/complaint-en.json.gz',
} as const;

export interface ModelSpec {
  file: string;
  /** The analysis it serves (the name loadConfiguredModels checks the labels against). */
  task: 'sentiment' | 'complaint';
  lang: Lang;
  /** Bench sets (scripts/data-sets.ts) it learns from, each through its fixed 80/20 split. */
  sets: string[];
  /** Key of its features and training settings in SET_TRAINING. */
  preset: string;
}

export const MODEL_SPECS: readonly ModelSpec[] = [
  { file: DEFAULT_MODEL_FILES.sentimentEn, task: 'sentiment', lang: 'en', sets: ['airline-sentiment'], preset: 'sentiment-en' },
  { file: DEFAULT_MODEL_FILES.sentimentZh, task: 'sentiment', lang: 'zh', sets: ['hotel-sentiment', 'waimai-sentiment', 'ecommerce-sentiment', 'weibo-sentiment'], preset: 'sentiment-zh' },
  { file: DEFAULT_MODEL_FILES.complaintEn, task: 'complaint', lang: 'en', sets: ['complaints', 'xci-complaint'], preset: 'complaint-en' },
];

/** Where each data file comes from and its licence, as ../shared/data/README.md states them. */
export const DATA_PROVENANCE: Readonly<Record<string, { source: string; licence: string; nonCommercial: boolean }>> = {
  'airline/tweets.csv': { source: 'eidehua/Real-Time-SciVi @ d172fa9b (Twitter US Airline Sentiment, Kaggle)', licence: 'CC BY-NC-SA 4.0 (Kaggle card)', nonCommercial: true },
  'zh/chnsenticorp_htl.csv': { source: 'SophonPlus/ChineseNlpCorpus @ a0b781d7', licence: 'none stated', nonCommercial: false },
  'zh/waimai_10k.csv': { source: 'SophonPlus/ChineseNlpCorpus @ a0b781d7', licence: 'none stated', nonCommercial: false },
  'zh/online_shopping_10_cats.csv': { source: 'SophonPlus/ChineseNlpCorpus @ a0b781d7', licence: 'none stated', nonCommercial: false },
  'zh/weibo_senti_subset.csv': { source: 'forever1986/bert_task @ da1e0836 (subset of weibo_senti_100k)', licence: 'none stated', nonCommercial: false },
  'escalation/complaints_social_media.csv': { source: 'danielpreotiuc/complaints-social-media @ 54e3402c', licence: 'none stated', nonCommercial: false },
  'escalation/x-ci_complaint_severity.csv': { source: 'appy1608/ACL2023 @ b475e60b', licence: 'MIT', nonCommercial: false },
};
