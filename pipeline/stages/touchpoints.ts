import type { Config } from '../../config/schema.ts';
import type { TouchpointRef } from '../../model/index.ts';
import type { Draft, Stage } from '../stage.ts';
import { BatchText, perConfig, setVersions } from './common.ts';
import { configCounts, configKeywords } from './keywords.ts';

export const TOUCHPOINTS_VERSION = 'keywords-1';
const VERSIONS = { touchpoints: TOUCHPOINTS_VERSION };

/** Lower-case "touchpoint", "journey/touchpoint" and "journey.touchpoint" → ref. */
const byName = perConfig((config: Config) => {
  const map = new Map<string, TouchpointRef>();
  for (const j of config.journeys) {
    for (const t of j.touchpoints) {
      for (const name of [t.id, `${j.id}/${t.id}`, `${j.id}.${t.id}`]) map.set(name.toLowerCase(), { journey: j.id, touchpoint: t.id });
    }
  }
  return map;
});

/** The touchpoint a survey answer names, when it is a configured one. */
export function surveyTouchpoint(d: Pick<Draft, 'survey'>, config: Config): TouchpointRef | null {
  const name = d.survey?.touchpoint?.trim().toLowerCase();
  const ref = name ? byName(config).get(name) : undefined;
  return ref ? { ...ref } : null;
}

/** Item i's touchpoint with the most distinct keyword hits (config order on ties), or null without any. */
export function keywordTouchpoint(texts: BatchText, i: number, config: Config): TouchpointRef | null {
  const { touchpoints, touchpointBase } = configKeywords(config);
  const counts = configCounts(texts, i, config);
  let best = -1;
  let bestCount = 0;
  for (let t = 0; t < touchpoints.length; t++) {
    const n = counts[touchpointBase + t]!;
    if (n > bestCount) {
      best = t;
      bestCount = n;
    }
  }
  return best < 0 ? null : { ...touchpoints[best]! };
}

/**
 * Where in the journey the feedback belongs: the touchpoint a survey answer names wins (the
 * company asked about it), otherwise the best keyword match, otherwise null.
 */
export function touchpointsStage(): Stage {
  return {
    name: 'touchpoints',
    run(batch, { config }) {
      const texts = BatchText.of(batch);
      batch.forEach((d, i) => {
        const touchpoint = surveyTouchpoint(d, config) ?? keywordTouchpoint(texts, i, config);
        d.analysis.touchpoint = touchpoint;
        setVersions(d, VERSIONS);
      });
      return batch;
    },
  };
}
