import type { Config } from '../../config/schema.ts';
import type { TouchpointRef } from '../../model/index.ts';
import { COMPLAINT_CUES, type CueCounts } from '../nlp/complaint.ts';
import { KeywordMatcher, type KeywordHit } from '../nlp/keyword-matcher.ts';
import { perConfig, type BatchText } from './common.ts';

export const KEYWORD_SIGNALS = ['regulator', 'legal', 'media', 'churn'] as const;

/** The hostility signals read from words, each a keyword list with its exceptions. */
export const HOSTILE_SIGNALS = ['addressed', 'accusation', 'insult', 'demand'] as const;
export type HostileSignal = (typeof HOSTILE_SIGNALS)[number];

/**
 * Every keyword list the stages use — the config's topics, touchpoints and escalation signals, the
 * complaint cues, and the hostility signals with their exceptions — in one matcher, so a text is
 * scanned once for the four stages that read it. Groups are laid out in that order.
 */
export interface ConfigKeywords {
  matcher: KeywordMatcher;
  topicIds: string[];
  touchpoints: TouchpointRef[];
  /** First group index of the touchpoints, of the escalation signals and of the complaint cues. */
  touchpointBase: number;
  signalBase: number;
  cueBase: number;
  /**
   * The hostility signals that can weigh anything (weight above 0), each with the group of its
   * keywords; the group after it holds its `except` phrases.
   */
  hostile: Array<{ id: HostileSignal; group: number }>;
}

export const configKeywords = perConfig((config: Config): ConfigKeywords => {
  const topics = config.taxonomy.topics;
  const touchpoints = config.journeys.flatMap((j) => j.touchpoints.map((t) => ({ ref: { journey: j.id, touchpoint: t.id }, t })));
  const hostileIds = HOSTILE_SIGNALS.filter((id) => config.escalation.signals[id].weight > 0);
  const cueBase = topics.length + touchpoints.length + KEYWORD_SIGNALS.length;
  const hostileBase = cueBase + COMPLAINT_CUES.length;
  const matcher = new KeywordMatcher([
    ...topics.map((t) => ({ id: `topic:${t.id}`, keywords: t.keywords })),
    ...touchpoints.map(({ ref, t }) => ({ id: `touchpoint:${ref.touchpoint}`, keywords: t.keywords })),
    ...KEYWORD_SIGNALS.map((id) => ({ id: `signal:${id}`, keywords: config.escalation.signals[id].keywords })),
    ...COMPLAINT_CUES.map((c) => ({ id: `cue:${c.id}`, keywords: c.keywords })),
    ...hostileIds.flatMap((id) => {
      const s = config.escalation.signals[id];
      return [{ id: `hostile:${id}`, keywords: s.keywords }, { id: `hostile:${id}:except`, keywords: s.except }];
    }),
  ]);
  return {
    matcher,
    topicIds: topics.map((t) => t.id),
    touchpoints: touchpoints.map((x) => x.ref),
    touchpointBase: topics.length,
    signalBase: topics.length + touchpoints.length,
    cueBase,
    hostile: hostileIds.map((id, k) => ({ id, group: hostileBase + 2 * k })),
  };
});

/** Item i's keyword hits and, once asked for, their distinct keywords per group. */
interface TextKeywords {
  hits: KeywordHit[];
  counts: readonly number[] | null;
}

function textKeywords(texts: BatchText, i: number, config: Config): TextKeywords {
  return texts.memo(i, config, (): TextKeywords => ({ hits: configKeywords(config).matcher.match(texts.text(i), texts.tokens(i)), counts: null }));
}

/** The config's keyword hits in item i's analysis text, computed once per batch, text and config. */
export function configHits(texts: BatchText, i: number, config: Config): KeywordHit[] {
  return textKeywords(texts, i, config).hits;
}

/** All zero, one per group: the counts of most texts, shared (read only). */
const noCounts = perConfig((config: Config): readonly number[] => Object.freeze(new Array<number>(configKeywords(config).matcher.groups.length).fill(0)));

/** Distinct keywords per group of the config's matcher in item i's analysis text, counted once (topics, touchpoints and complaint cues read them). Read only. */
export function configCounts(texts: BatchText, i: number, config: Config): readonly number[] {
  const k = textKeywords(texts, i, config);
  k.counts ??= k.hits.length ? configKeywords(config).matcher.countDistinct(k.hits) : noCounts(config);
  return k.counts;
}

/** Distinct complaint-cue keywords in item i, from the shared matcher. */
export function complaintCues(texts: BatchText, i: number, config: Config): CueCounts {
  const { cueBase } = configKeywords(config);
  const counts = configCounts(texts, i, config);
  return { problem: counts[cueBase]!, demand: counts[cueBase + 1]!, formal: counts[cueBase + 2]! };
}
