/** Rules shared by the English and Chinese lexicon scorers. */

/** A negated positive reads as fairly negative ("not good"); a negated negative only mildly positive ("not bad"). */
export const FLIP_POSITIVE = -0.8;
export const FLIP_NEGATIVE = -0.4;
/** After "but" / "但是" the clause that follows counts more than the one before (as in VADER). */
export const BEFORE_CONTRAST = 0.5;
export const AFTER_CONTRAST = 1.5;
/** VADER's normalization constant: sum / sqrt(sum² + α) maps raw sums into (−1, 1). */
export const ALPHA = 15;
/** Scores within ±LABEL_BAND are neutral. */
export const LABEL_BAND = 0.15;
/** Intensifiers reach this many tokens ahead ("very, very slow" still counts). */
export const BOOST_WINDOW = 2;

/** Sums of positive and of negative weights seen so far. */
export interface Acc {
  pos: number;
  neg: number;
}

export function add(acc: Acc, v: number): void {
  if (v > 0) acc.pos += v;
  else acc.neg += v;
}
