import { stemEn } from './stem.ts';

/**
 * English sentiment lexicon for customer-service language, weights −3 … +3. Entries may be
 * phrases ("never arrived", "on hold"); single words also match their inflections by stem
 * ("delayed" → "delay"). A 0 weight blocks a stem collision ("please" is not "pleased").
 */
export const SENTIMENT_EN: Readonly<Record<string, number>> = {
  // Praise.
  good: 2, great: 3, excellent: 3, amazing: 3, awesome: 3, fantastic: 3, perfect: 3, wonderful: 3, outstanding: 3,
  superb: 3, brilliant: 3, love: 3, loved: 3, best: 2.5, nice: 2, happy: 2, glad: 2, pleased: 2, satisfied: 2,
  delighted: 3, impressed: 2.5, helpful: 2, friendly: 2, polite: 2, courteous: 2, patient: 1.5, professional: 1.5,
  knowledgeable: 1.5, responsive: 1.5, fast: 1.5, quick: 1.5, quickly: 1, prompt: 1.5, promptly: 1.5, speedy: 1.5,
  smooth: 1.5, seamless: 2, easy: 1.5, efficient: 1.5, reliable: 1.5, recommend: 2, recommended: 2, thanks: 1.5,
  thank: 1.5, thankful: 2, grateful: 2, appreciate: 2, appreciated: 2, resolved: 2, solved: 2, fixed: 1.5,
  kudos: 2, fine: 0.5, ok: 0.3, okay: 0.3, decent: 1, solid: 1, worth: 1, affordable: 1, beautiful: 2,
  'on time': 1.5, 'well done': 2, 'no problem': 1, 'no problems': 1, 'no issues': 1.5, 'no complaints': 1.5,
  'works great': 2.5, 'works perfectly': 2.5, 'above and beyond': 3, 'hassle free': 2, 'five stars': 2.5,
  '5 stars': 2.5, 'worth it': 1.5, 'ahead of schedule': 2, 'easy to use': 2,

  // Problems and feelings about them.
  bad: -2.5, terrible: -3, horrible: -3, awful: -3, worst: -3, poor: -2, poorly: -2, disappointed: -2,
  disappointing: -2, disappointment: -2, unhappy: -2, dissatisfied: -2.5, angry: -2.5, furious: -3, livid: -3,
  frustrated: -2, frustrating: -2, annoyed: -2, annoying: -2, upset: -2, useless: -2.5, rude: -2.5, unprofessional: -2.5,
  incompetent: -2.5, ignored: -2, ignoring: -2, slow: -1.5, late: -1.5, delay: -1.5, delays: -1.5, delayed: -1.5,
  broken: -2, broke: -1.5, damaged: -2, defective: -2, faulty: -2, missing: -1.5, lost: -1.5, wrong: -1.5, error: -1,
  failed: -1.5, fail: -1.5, failure: -2, crash: -1.5, crashes: -1.5, crashed: -1.5, bug: -1, buggy: -2, glitch: -1.5,
  problem: -1.5, problems: -1.5, issue: -1, issues: -1, complaint: -1.5, complain: -1.5, scam: -3, scammed: -3,
  scammer: -3, fraud: -3, fraudulent: -3, ripoff: -3, stolen: -2.5, steal: -2.5, liar: -3, lied: -2.5, lie: -2,
  lies: -2, misleading: -2, overcharged: -2.5, unacceptable: -2.5, ridiculous: -2.5, pathetic: -3, disgusting: -3,
  disgraceful: -3, shameful: -2.5, nightmare: -3, hate: -3, waste: -2, refused: -2, refuse: -1.5, denied: -1.5,
  avoid: -2, beware: -2.5, unresolved: -2, unreliable: -2, worse: -2, sucks: -2.5, garbage: -3, trash: -2.5,
  junk: -2.5, cheated: -3, stuck: -1.5, unanswered: -2, incorrect: -1.5, mistake: -1.5, unfair: -2, overpriced: -2,
  expensive: -1, unauthorized: -2.5, hacked: -2.5, horrendous: -3, appalling: -3, atrocious: -3, incompetence: -2.5,
  excuses: -1.5, excuse: -1, hassle: -1.5, joke: -1.5, mess: -2, messed: -2, nonexistent: -2, inconvenience: -1.5,
  // Blocks: these share a stem with a sentiment word but say nothing themselves.
  please: 0, like: 0, fix: 0, resolve: 0, solve: 0, issued: 0, work: 0,
  'rip off': -3, 'ripped off': -3, 'charged twice': -2.5, 'double charged': -2.5, 'hidden fees': -2,
  'waste of money': -3, 'waste of time': -2.5, 'never arrived': -2.5, 'never received': -2.5, 'never came': -2.5,
  'still waiting': -2, "still haven't": -2, 'not received': -2, "didn't arrive": -2, "hasn't arrived": -2,
  "haven't received": -2, 'no response': -2, 'no reply': -2, 'no answer': -1.5, 'no one': -1, 'no help': -2,
  'on hold': -1.5, 'hung up': -2, 'hold time': -1, 'not working': -2, "doesn't work": -2, 'does not work': -2,
  "won't work": -2, 'stopped working': -2.5, 'never again': -2.5, 'fed up': -2.5, 'sick of': -2.5, 'locked out': -2,
  'run around': -2, 'runaround': -2, 'give up': -1.5, 'one star': -2.5, '1 star': -2.5, 'zero stars': -3,
  'not happy': -2, 'not satisfied': -2, 'not acceptable': -2.5, 'not resolved': -2, 'not fixed': -2,
};

/** Multipliers for the next sentiment word within the clause. */
export const INTENSIFIERS_EN: Readonly<Record<string, number>> = {
  very: 1.5, really: 1.4, so: 1.4, extremely: 1.8, super: 1.5, too: 1.3, totally: 1.5, absolutely: 1.6,
  incredibly: 1.8, completely: 1.5, utterly: 1.8, truly: 1.4, highly: 1.5, most: 1.3, quite: 1.2, such: 1.3,
  especially: 1.3, seriously: 1.4, insanely: 1.8, ridiculously: 1.6, beyond: 1.3,
  slightly: 0.5, somewhat: 0.6, bit: 0.6, little: 0.6, kinda: 0.6, fairly: 0.8, rather: 0.9, mildly: 0.5,
};

/** What the lexicons say about one word type; worked out once per word (see `Lexeme`). */
export interface EnWordFeatures {
  /** Sentiment weight of the word or, failing that, of its stem; 0 for none. */
  sentiment: number;
  /** Intensifier multiplier, 1 for none. */
  boost: number;
  /** Some lexicon phrase starts with this word's stem. */
  phraseStart: boolean;
}

const BY_WORD = new Map<string, number>();
const BY_STEM = new Map<string, number>();
const PHRASE_STARTS = new Set<string>();
for (const [entry, weight] of Object.entries(SENTIMENT_EN)) {
  const words = entry.split(/[\s-]+/);
  if (words.length > 1) {
    PHRASE_STARTS.add(stemEn(words[0]!));
    continue;
  }
  BY_WORD.set(entry, weight);
  const stem = stemEn(entry);
  // Zero entries exist to block stem collisions, so they win them.
  if (!BY_STEM.has(stem) || weight === 0) BY_STEM.set(stem, weight);
}

export function enWordFeatures(word: string, stem: string): EnWordFeatures {
  return {
    sentiment: BY_WORD.get(word) ?? BY_STEM.get(stem) ?? 0,
    boost: INTENSIFIERS_EN[word] ?? 1,
    phraseStart: PHRASE_STARTS.has(stem),
  };
}
