import type { estypes } from '@elastic/elasticsearch';
import type { BaseField, Field } from '../../model/index.ts';

/**
 * Bumped whenever the mappings or analysis change in a way existing indices cannot take: the
 * adapter refuses to write into indices made for another version (re-index into a new prefix).
 */
export const SCHEMA_VERSION = 2; // 2: facets.corrected and facets.authorKey

/** Names of everything the adapter creates for one prefix. */
export interface IndexNames {
  /** The composable index template covering every backing index. */
  template: string;
  /** `<prefix>-feedback-*`: the template's pattern. */
  pattern: string;
  /** The rollover (write) alias: new documents go to its write index. */
  writeAlias: string;
  /** The alias over every backing index, set by the template: all reads go through it. */
  readAlias: string;
  /** The first backing index. */
  firstIndex: string;
}

export function indexNames(prefix: string): IndexNames {
  return {
    template: `${prefix}-feedback`,
    pattern: `${prefix}-feedback-*`,
    writeAlias: `${prefix}-feedback`,
    readAlias: `${prefix}-feedback-read`,
    firstIndex: `${prefix}-feedback-000001`,
  };
}

/** The analyzer of the searchable text (see TEXT_ANALYSIS). */
export const TEXT_ANALYZER = 'allears_text';

/**
 * The same words as the embedded index's FTS5 tokenizer (`porter unicode61 remove_diacritics 2`).
 * The text arrives as words separated by single spaces (see `words`): Chinese segmented by the
 * embedded index's jieba segmentation, every other run of non-word characters turned into a space.
 * So the engine only splits on whitespace (which every distribution has), folds case and diacritics
 * and reduces English words to their Porter stem. No stop words: FTS5 has none, and phrases must
 * keep their positions.
 */
export const TEXT_ANALYSIS: estypes.IndicesIndexSettingsAnalysis = {
  analyzer: {
    [TEXT_ANALYZER]: { type: 'custom', tokenizer: 'whitespace', filter: ['lowercase', 'asciifolding', 'porter_stem'] },
  },
};

/** FTS5 unicode61's word characters: letters, digits, private use (and combining marks, folded away). */
const NON_WORD = /[^\p{L}\p{N}\p{Co}\p{Mn}]+/gu;

/**
 * Text as FTS5 unicode61 sees its words: every run of other characters becomes one space, so
 * `col:refunds` is the two words `col refunds` and `refund^` the word `refund`, on both sides.
 */
export function words(text: string): string {
  return text.replace(NON_WORD, ' ').trim();
}

type Property = estypes.MappingProperty;

const keyword: Property = { type: 'keyword' };
/** Free strings of bounded but unknown length: longer values are kept in _source, not indexed. */
const longKeyword: Property = { type: 'keyword', ignore_above: 1024 };
/** Kept for the record only (returned, never searched, filtered or sorted). */
const storedString: Property = { type: 'keyword', index: false, doc_values: false };
const storedText: Property = { type: 'text', index: false };
const double: Property = { type: 'double' };
const long: Property = { type: 'long' };
const bool: Property = { type: 'boolean' };
/** Arbitrary JSON, returned as given and never parsed by the engine. */
const opaque: Property = { type: 'object', enabled: false };
const date: Property = { type: 'date', format: 'strict_date_optional_time||epoch_millis' };
const searchable: Property = { type: 'text', analyzer: TEXT_ANALYZER };

function object(properties: Record<string, Property>): Property {
  return { type: 'object', dynamic: 'strict', properties };
}

const touchpointRef = object({ journey: keyword, touchpoint: keyword });

/**
 * One mapping per Feedback field (a field the model gains must be added here, or writes fail with
 * a strict-mapping error naming it), plus two derived objects the adapter computes on every write:
 * `facets` (the effective values people's corrections win in, see model/query.ts) and `search`
 * (the segmented text, left out of _source since it is rebuilt from `title` and `text`).
 */
export const FEEDBACK_PROPERTIES: Record<string, Property> = {
  id: keyword,
  source: object({ id: keyword, kind: keyword, name: longKeyword }),
  channel: keyword,
  initiator: keyword,
  externalId: longKeyword,
  url: storedString,
  threadId: longKeyword,
  parentId: longKeyword,
  author: object({ id: longKeyword, handle: longKeyword, name: longKeyword, followers: long, verified: bool }),
  customerRef: longKeyword,
  title: storedText,
  text: storedText,
  publishedAt: date,
  engagement: object({ likes: long, shares: long, replies: long, views: long }),
  survey: object({ survey: keyword, touchpoint: keyword, metric: keyword, score: double, comment: storedText }),
  // Arbitrary keys (dots included) without a mapping per key: `dimensions.<key>` is a keyword.
  dimensions: { type: 'flattened' },
  raw: opaque,
  lang: keyword,
  originalText: storedText,
  contentHash: keyword,
  receivedAt: { ...date, ignore_malformed: true } as Property,
  processedAt: { ...date, ignore_malformed: true } as Property,
  analysis: object({
    sentiment: object({ label: keyword, score: double, confidence: double }),
    complaint: object({ is: bool, probability: double }),
    topics: object({ id: keyword, score: double }),
    touchpoint: touchpointRef,
    escalation: object({
      score: double,
      level: keyword,
      signals: object({ id: keyword, weight: double, evidence: storedText }),
    }),
    duplicateOf: keyword,
    pii: keyword,
    models: opaque,
  }),
  labels: object({
    sentiment: keyword,
    complaint: bool,
    topics: keyword,
    touchpoint: touchpointRef,
    escalationLevel: keyword,
    correctedBy: longKeyword,
    correctedAt: longKeyword,
  }),
  caseId: longKeyword,
  version: long,
  facets: object({
    sentiment: keyword,
    complaint: keyword,
    topic: keyword,
    journey: keyword,
    touchpoint: keyword,
    escalationLevel: keyword,
    duplicate: bool,
    corrected: keyword,
    authorKey: keyword,
  }),
  search: object({ title: searchable, body: searchable, sub: searchable }),
};

/** Where each field that can be filtered, faceted, split and grouped by lives in a document. */
export const FIELD_PATHS: Readonly<Record<BaseField, string>> = {
  channel: 'channel',
  source: 'source.id',
  initiator: 'initiator',
  sentiment: 'facets.sentiment',
  topic: 'facets.topic',
  journey: 'facets.journey',
  touchpoint: 'facets.touchpoint',
  escalationLevel: 'facets.escalationLevel',
  lang: 'lang',
  complaint: 'facets.complaint',
  surveyMetric: 'survey.metric',
};

export function fieldPath(field: Field): string {
  if (field.startsWith('dim.')) return `dimensions.${field.slice(4)}`;
  return FIELD_PATHS[field as BaseField];
}

export const SEARCH_FIELDS = ['search.title', 'search.body', 'search.sub'] as const;
/** Title words weigh double, search-mode sub-words half (as the embedded index's bm25 weights). */
export const SEARCH_FIELD_BOOSTS = ['search.title^2', 'search.body', 'search.sub^0.5'];

export interface TemplateSettings {
  shards: number;
  replicas: number;
  /** e.g. "1s"; -1 turns periodic refresh off. */
  refreshInterval?: string;
}

export function feedbackMappings(): estypes.MappingTypeMapping {
  return {
    dynamic: 'strict',
    _meta: { allears: { schemaVersion: SCHEMA_VERSION } },
    _source: { excludes: ['search.*'] },
    properties: FEEDBACK_PROPERTIES,
  };
}

/** The composable index template: settings, analysis, mappings and the read alias of every backing index. */
export function indexTemplate(names: IndexNames, settings: TemplateSettings): estypes.IndicesPutIndexTemplateRequest {
  return {
    name: names.template,
    index_patterns: [names.pattern],
    // Above the built-in templates (logs-*-*, metrics-*-* … at 100), in case a prefix collides.
    priority: 500,
    _meta: { allears: { schemaVersion: SCHEMA_VERSION }, description: 'allears feedback index' },
    template: {
      settings: {
        number_of_shards: settings.shards,
        number_of_replicas: settings.replicas,
        ...(settings.refreshInterval === undefined ? {} : { refresh_interval: settings.refreshInterval }),
        analysis: TEXT_ANALYSIS,
      },
      mappings: feedbackMappings(),
      aliases: { [names.readAlias]: {} },
    },
  };
}
