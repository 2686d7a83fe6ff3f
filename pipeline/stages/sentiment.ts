import type { Config } from '../../config/schema.ts';
import type { Sentiment, SurveyAnswer } from '../../model/index.ts';
import { ruleComplaint, type ComplaintModel } from '../nlp/complaint.ts';
import { labelFor, lexiconSentiment, type SentimentModel } from '../nlp/sentiment.ts';
import { surveyBand, surveySentimentScore, type ScoreBand } from '../nlp/survey.ts';
import type { Stage } from '../stage.ts';
import { BatchText, setVersions } from './common.ts';
import { complaintCues } from './keywords.ts';

export interface SentimentStageOptions {
  model?: SentimentModel;
  complaint?: ComplaintModel;
}

/**
 * A survey score says outright how the customer felt, so it counts fully; the text's sentiment is
 * added with its own confidence as weight. NPS 2 with "thanks for asking" stays negative.
 */
export function withSurvey(text: Sentiment, answer: SurveyAnswer, config: Config): { sentiment: Sentiment; band: ScoreBand } {
  const t = config.surveys.thresholds[answer.metric];
  const band = surveyBand(answer.score, t);
  const fromScore = surveySentimentScore(answer, t);
  const textWeight = text.score === 0 ? 0 : text.confidence;
  const score = Math.round(((fromScore + text.score * textWeight) / (1 + textWeight)) * 1000) / 1000;
  const agrees = textWeight === 0 || Math.sign(text.score) === Math.sign(fromScore);
  return { sentiment: { label: labelFor(score), score, confidence: agrees ? 0.85 : 0.6 }, band };
}

/**
 * Sentiment (label, score −1…1, confidence) from the text, informed by a survey answer's score,
 * and the complaint flag. Both models sit behind small interfaces so trained ones can replace them.
 */
export function sentimentStage(opts: SentimentStageOptions = {}): Stage {
  const model = opts.model ?? lexiconSentiment;
  const complaintModel = opts.complaint ?? ruleComplaint;
  const versions = { sentiment: model.version, complaint: complaintModel.version };
  return {
    name: 'sentiment',
    run(batch, ctx) {
      const texts = BatchText.of(batch);
      batch.forEach((d, i) => {
        const text = texts.text(i);
        const tokens = texts.tokens(i);
        const lang = d.lang ?? 'other';
        let sentiment = model.score(text, lang, tokens);
        let band: ScoreBand | null = null;
        if (d.survey) ({ sentiment, band } = withSurvey(sentiment, d.survey, ctx.config));
        const cues = complaintCues(texts, i, ctx.config);
        const complaint = complaintModel.predict({ text, lang, sentiment, channel: d.channel, surveyBand: band, tokens, cues });
        d.analysis.sentiment = sentiment;
        d.analysis.complaint = complaint;
        setVersions(d, versions);
      });
      return batch;
    },
  };
}
