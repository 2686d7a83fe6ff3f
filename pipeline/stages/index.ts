import type { Config } from '../../config/schema.ts';
import { complaintFromClassifiers, loadConfiguredModels, sentimentFromClassifiers } from '../nlp/classifier/adapters.ts';
import { ruleComplaint } from '../nlp/complaint.ts';
import { lexiconSentiment } from '../nlp/sentiment.ts';
import type { Stage } from '../stage.ts';
import { dedupeStage } from './dedupe.ts';
import { escalationModelOf, escalationStage, type ContactHistory } from './escalation.ts';
import { configKeywords } from './keywords.ts';
import { languageStage } from './language.ts';
import { normalizeStage } from './normalize.ts';
import { redactStage } from './redact.ts';
import { sentimentStage } from './sentiment.ts';
import { loadBundles, topicModelOf, topicsStage } from './topics.ts';
import { touchpointsStage } from './touchpoints.ts';

export { dedupeStage, fingerprintOf, SHORT_TEXT_CHARS } from './dedupe.ts';
export {
  authorKeyOf, combine, escalate, escalationModelOf, escalationStage, gatedLevel, gatedRisk, levelFor, orderLevels, trainEscalationBundle,
  type ContactHistory, type ContactQuery, type EscalationModel, type EscalationStageOptions,
} from './escalation.ts';
export { languageStage } from './language.ts';
export { normalizeStage, normalizeText } from './normalize.ts';
export { BatchText } from './common.ts';
export { redactStage } from './redact.ts';
export { sentimentStage, type SentimentStageOptions } from './sentiment.ts';
export { configCounts, configKeywords, KEYWORD_SIGNALS } from './keywords.ts';
export {
  bundleTopics, ClassifierBundle, keywordScore, keywordTopics, loadBundles, mergeTopics, parseTopicLabels, topicModelOf, topicsStage,
  trainTopicBundle, BUNDLE_FORMAT, type MultiLabelExample, type TopicModel,
} from './topics.ts';
export { keywordTouchpoint, surveyTouchpoint, touchpointsStage } from './touchpoints.ts';

/**
 * The v1 pipeline, in order. Redaction runs before dedupe so copy-paste campaigns that differ only
 * in an e-mail address or phone number still match; escalation runs last because it reads sentiment.
 * The config's keyword automaton is compiled here, so the first batch is not the slow one; stages
 * read the config from each run's context (compiled once per config object).
 */
export interface DefaultStagesDeps {
  /** Stored feedback by author, for the repeat-contact signal (the index, when there is one). */
  contacts?: ContactHistory;
}

export function defaultStages(config: Config, deps: DefaultStagesDeps = {}): Stage[] {
  configKeywords(config);
  // Trained models named in config replace the lexicon / rules for their language only.
  const models = loadConfiguredModels(config.models);
  const sentiment = sentimentFromClassifiers(models.sentiment, lexiconSentiment);
  const complaint = complaintFromClassifiers(models.complaint, ruleComplaint);
  const topicModel = topicModelOf(loadBundles(config.models, 'topics'));
  const escalationModel = escalationModelOf(loadBundles(config.models, 'escalation'));
  return [
    normalizeStage(),
    languageStage(),
    redactStage(),
    dedupeStage(),
    sentimentStage({
      ...(Object.keys(models.sentiment).length ? { model: sentiment } : {}),
      ...(Object.keys(models.complaint).length ? { complaint } : {}),
    }),
    topicsStage(topicModel),
    touchpointsStage(),
    escalationStage({ ...(escalationModel ? { model: escalationModel } : {}), ...(deps.contacts ? { contacts: deps.contacts } : {}) }),
  ];
}
