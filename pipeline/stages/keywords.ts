import type { Config } from '../../config/schema.ts';
import type { TouchpointRef } from '../../model/index.ts';
import { COMPLAINT_CUES, type CueCounts } from '../nlp/complaint.ts';
import { KeywordMatcher, type KeywordHit } from '../nlp/keyword-matcher.ts';
import { perConfig, type BatchText } from './common.ts';

export const KEYWORD_SIGNALS = ['regulator', 'legal', 'media', 'churn'] as const;

/**
 * Every keyword list the stages use — the config's topics, touchpoints and escalation signals, and
 * the complaint cues — in one matcher, so a text is scanned once for the four stages that read it.
 * Groups are laid out in that order.
 */
export interface ConfigKeywords {
  matcher: KeywordMatcher;
  topicIds: string[];
  touchpoints: TouchpointRef[];
  /** First group index of the touchpoints, of the escalation signals and of the complaint cues. */
  touchpointBase: number;
  signalBase: number;
  cueBase: number;
}

export const configKeywords = perConfig((config: Config): ConfigKeywords => {
  const topics = config.taxonomy.topics;
  const touchpoints = config.journeys.flatMap((j) => j.touchpoints.map((t) => ({ ref: { journey: j.id, touchpoint: t.id }, t })));
  const matcher = new KeywordMatcher([
    ...topics.map((t) => ({ id: `topic:${t.id}`, keywords: t.keywords })),
    ...touchpoints.map(({ ref, t }) => ({ id: `touchpoint:${ref.touchpoint}`, keywords: t.keywords })),
    ...KEYWORD_SIGNALS.map((id) => ({ id: `signal:${id}`, keywords: config.escalation.signals[id].keywords })),
    ...COMPLAINT_CUES.map((c) => ({ id: `cue:${c.id}`, keywords: c.keywords })),
  ]);
  return {
    matcher,
    topicIds: topics.map((t) => t.id),
    touchpoints: touchpoints.map((x) => x.ref),
    touchpointBase: topics.length,
    signalBase: topics.length + touchpoints.length,
    cueBase: topics.length + touchpoints.length + KEYWORD_SIGNALS.length,
  };
});

/** The config's keyword hits in item i's analysis text, computed once per batch, text and config. */
export function configHits(texts: BatchText, i: number, config: Config): KeywordHit[] {
  return texts.memo(i, config, () => configKeywords(config).matcher.match(texts.text(i), texts.tokens(i)));
}

/** All zero, one per group: the counts of most texts, shared (read only). */
const noCounts = perConfig((config: Config): readonly number[] => Object.freeze(new Array<number>(configKeywords(config).matcher.groups.length).fill(0)));

/** Distinct keywords per group of the config's matcher in item i's analysis text. Read only. */
export function configCounts(texts: BatchText, i: number, config: Config): readonly number[] {
  const hits = configHits(texts, i, config);
  return hits.length ? configKeywords(config).matcher.countDistinct(hits) : noCounts(config);
}

/** Distinct complaint-cue keywords in item i, from the shared matcher. */
export function complaintCues(texts: BatchText, i: number, config: Config): CueCounts {
  const { cueBase } = configKeywords(config);
  const counts = configCounts(texts, i, config);
  return { problem: counts[cueBase]!, demand: counts[cueBase + 1]!, formal: counts[cueBase + 2]! };
}
