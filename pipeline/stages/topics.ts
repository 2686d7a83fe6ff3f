import type { Config } from '../../config/schema.ts';
import type { Lang, TopicHit } from '../../model/index.ts';
import type { EnTokens } from '../nlp/en-tokenizer.ts';
import type { Stage } from '../stage.ts';
import { BatchText, setAnalysis } from './common.ts';
import { configHits, configKeywords } from './keywords.ts';

export const TOPICS_VERSION = 'keywords-1';

/** What the topics stage needs from a trained multi-label classifier replacing the keyword rules. */
export interface TopicModel {
  readonly version: string;
  /** `tokens`: tokenizeEn(text), when the caller already has them. */
  predict(text: string, lang: Lang, tokens?: EnTokens): TopicHit[];
}

/** 1 keyword → 0.5, 2 → 0.75, 3 → 0.875: more distinct evidence, more certainty, never 1. */
export function keywordScore(distinctHits: number): number {
  return Math.round((1 - 0.5 ** distinctHits) * 1000) / 1000;
}

/** Multi-label topics of item i from the taxonomy's keyword rules, highest score first (config order on ties). */
export function keywordTopics(texts: BatchText, i: number, config: Config): TopicHit[] {
  const { matcher, topicIds } = configKeywords(config);
  const counts = matcher.countDistinct(configHits(texts, i, config));
  const out: TopicHit[] = [];
  for (let g = 0; g < topicIds.length; g++) if (counts[g]! > 0) out.push({ id: topicIds[g]!, score: keywordScore(counts[g]!) });
  // Stable sort keeps config order among equal scores.
  return out.sort((a, b) => b.score - a.score);
}

/** Topics for each item: the taxonomy's keyword rules, or `model` when one is given. */
export function topicsStage(model?: TopicModel): Stage {
  const version = model?.version ?? TOPICS_VERSION;
  return {
    name: 'topics',
    run(batch, { config }) {
      const texts = BatchText.of(batch);
      batch.forEach((d, i) => {
        const topics = model ? model.predict(texts.text(i), d.lang ?? 'other', texts.tokens(i)) : keywordTopics(texts, i, config);
        setAnalysis(d, { topics }, { topics: version });
      });
      return batch;
    },
  };
}
