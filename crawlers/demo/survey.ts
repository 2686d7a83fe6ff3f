import type { SurveyAnswer } from '../../model/index.ts';
import { SURVEYS } from './catalog.ts';
import type { PhraseBank } from './phrases.ts';
import type { Rng } from './prng.ts';
import { fill, type Slots } from './slots.ts';

type Band = 'low' | 'mid' | 'high';

/** Score ranges per metric and band; CES here is 1 (very hard) … 7 (very easy), as in config. */
const SCORES: Record<SurveyAnswer['metric'], Record<Band, readonly number[]>> = {
  nps: { low: [0, 1, 2, 3, 4, 5, 5, 6, 6], mid: [7, 8], high: [9, 10, 10] },
  csat: { low: [1, 1, 2, 2], mid: [3], high: [4, 5, 5] },
  ces: { low: [1, 2, 2, 3, 3], mid: [4, 5], high: [6, 7, 7] },
};

/**
 * One answer to a touchpoint survey. Deliveries handled by the troubled warehouse go badly far
 * more often, so the scores tell the same story as the complaints.
 */
export function surveyAnswer(rng: Rng, bank: PhraseBank, slots: Slots, troubledSupplier: boolean): SurveyAnswer {
  const def = SURVEYS.pick(rng);
  const pLow = def.touchpoint === 'delivery' && troubledSupplier ? 0.55 : 0.2;
  const x = rng.next();
  const band: Band = x < pLow ? 'low' : x < pLow + 0.25 ? 'mid' : 'high';
  const score = rng.pick(SCORES[def.metric][band]);
  const answer: SurveyAnswer = { survey: def.survey, touchpoint: def.touchpoint, metric: def.metric, score };
  if (rng.chance(0.55)) {
    const comments = band === 'mid' ? bank.survey.mid : bank.survey[band][def.touchpoint];
    answer.comment = fill(rng.pick(comments), slots);
  }
  return answer;
}
