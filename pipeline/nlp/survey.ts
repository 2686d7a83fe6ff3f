import type { SurveyAnswer } from '../../model/index.ts';

/** One metric's thresholds from config (`surveys.thresholds.<metric>`): at or below `low` / `critical`. */
export interface ScoreThreshold {
  low: number;
  critical: number;
  min: number;
  max: number;
}

/** Where an answer falls: critical ⊂ low (detractor), passive, or high (promoter / satisfied). */
export type ScoreBand = 'critical' | 'low' | 'passive' | 'high';

/**
 * The top third of the range above `low` is "high": NPS 9–10 (low 6), CSAT 4–5 (low 2),
 * CES 6–7 (low 3). NPS defines it this way; CSAT and CES follow the same proportion.
 */
function highFrom(t: ScoreThreshold): number {
  return t.low + ((t.max - t.low) * 2) / 3;
}

export function surveyBand(score: number, t: ScoreThreshold): ScoreBand {
  if (score <= t.critical) return 'critical';
  if (score <= t.low) return 'low';
  return score >= highFrom(t) ? 'high' : 'passive';
}

/**
 * The answer's score as sentiment in −1 … 1: at or below `low` from −0.3 (at low) to −1 (at min);
 * passive −0.1 … 0.1; high from 0.4 to 1 (at max). NPS 6 → −0.3, NPS 2 → −0.77, NPS 9 → 0.55.
 */
export function surveySentimentScore(answer: Pick<SurveyAnswer, 'score'>, t: ScoreThreshold): number {
  const s = Math.min(t.max, Math.max(t.min, answer.score));
  const high = highFrom(t);
  let v: number;
  if (s <= t.low) v = -0.3 - (0.7 * (t.low - s)) / Math.max(1e-9, t.low - t.min);
  else if (s >= high) v = 0.4 + (0.6 * (s - high)) / Math.max(1e-9, t.max - high);
  else v = -0.1 + (0.2 * (s - t.low)) / Math.max(1e-9, high - t.low);
  return Math.round(v * 1000) / 1000;
}
