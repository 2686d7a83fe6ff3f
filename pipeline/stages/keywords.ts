import type { Config } from '../../config/schema.ts';
import type { TouchpointRef } from '../../model/index.ts';
import { KeywordMatcher, type KeywordHit } from '../nlp/keyword-matcher.ts';
import { perConfig, type BatchText } from './common.ts';

export const KEYWORD_SIGNALS = ['regulator', 'legal', 'media', 'churn'] as const;

/**
 * Every keyword list in the config — topics, touchpoints, escalation signals — in one matcher, so
 * a text is scanned once for the three stages that read it. Groups are laid out in that order.
 */
export interface ConfigKeywords {
  matcher: KeywordMatcher;
  topicIds: string[];
  touchpoints: TouchpointRef[];
  /** First group index of the touchpoints and of the escalation signals. */
  touchpointBase: number;
  signalBase: number;
}

export const configKeywords = perConfig((config: Config): ConfigKeywords => {
  const topics = config.taxonomy.topics;
  const touchpoints = config.journeys.flatMap((j) => j.touchpoints.map((t) => ({ ref: { journey: j.id, touchpoint: t.id }, t })));
  const matcher = new KeywordMatcher([
    ...topics.map((t) => ({ id: `topic:${t.id}`, keywords: t.keywords })),
    ...touchpoints.map(({ ref, t }) => ({ id: `touchpoint:${ref.touchpoint}`, keywords: t.keywords })),
    ...KEYWORD_SIGNALS.map((id) => ({ id: `signal:${id}`, keywords: config.escalation.signals[id].keywords })),
  ]);
  return {
    matcher,
    topicIds: topics.map((t) => t.id),
    touchpoints: touchpoints.map((x) => x.ref),
    touchpointBase: topics.length,
    signalBase: topics.length + touchpoints.length,
  };
});

/** The config's keyword hits in item i's analysis text, computed once per batch, text and config. */
export function configHits(texts: BatchText, i: number, config: Config): KeywordHit[] {
  return texts.memo(i, config, () => configKeywords(config).matcher.match(texts.text(i), texts.tokens(i)));
}
