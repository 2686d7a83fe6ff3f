import { tokenizeEn, type EnTokens } from './en-tokenizer.ts';
import { SENTIMENT_EN } from './lexicon-en.ts';
import { add, AFTER_CONTRAST, BEFORE_CONTRAST, BOOST_WINDOW, FLIP_NEGATIVE, FLIP_POSITIVE, type Acc } from './sentiment-rules.ts';

interface PhraseNode {
  next: Map<string, PhraseNode>;
  weight?: number;
}
/** Multi-word entries by stems; single words are resolved per word type (Lexeme.sentiment). */
const EN_PHRASES: PhraseNode = { next: new Map() };
for (const [entry, weight] of Object.entries(SENTIMENT_EN)) {
  const stems = tokenizeEn(entry).lex.map((l) => l.stem);
  if (stems.length < 2) continue;
  let node = EN_PHRASES;
  for (const stem of stems) {
    let child = node.next.get(stem);
    if (!child) node.next.set(stem, (child = { next: new Map() }));
    node = child;
  }
  node.weight = weight;
}

/** Longest lexicon phrase starting at token i, as [weight, length], or null. */
function phraseAt(toks: EnTokens, i: number): [number, number] | null {
  let node = EN_PHRASES.next.get(toks.stem(i));
  let best: [number, number] | null = null;
  for (let j = i; node; ) {
    if (node.weight !== undefined) best = [node.weight, j - i + 1];
    if (++j >= toks.length || toks.clauseStart(j)) break;
    node = node.next.get(toks.stem(j));
  }
  return best;
}

/**
 * English lexicon scoring over tokens: phrases first (longest), then words by their lexeme;
 * negation scope from the tokenizer, intensifiers within BOOST_WINDOW, "but" re-weighting.
 */
export function scoreEnglish(toks: EnTokens, acc: Acc): void {
  let boost = 1, boostLeft = 0, mult = 1;
  // A negation is used up by the word it governs: "not good and slow" is not "not slow".
  let negUsed = false;
  for (let i = 0; i < toks.length; ) {
    const lex = toks.lex[i]!;
    if (toks.clauseStart(i)) boostLeft = 0;
    if (lex.contrast) {
      acc.pos *= BEFORE_CONTRAST;
      acc.neg *= BEFORE_CONTRAST;
      mult = AFTER_CONTRAST;
      i++;
      continue;
    }
    const phrase = lex.phraseStart ? phraseAt(toks, i) : null;
    const w = phrase ? phrase[0] : lex.sentiment;
    const len = phrase ? phrase[1] : 1;
    if (!w) {
      if (lex.negator) negUsed = false;
      if (lex.boost !== 1) {
        boost = lex.boost;
        boostLeft = BOOST_WINDOW;
      } else if (boostLeft > 0) boostLeft--;
      i += len;
      continue;
    }
    let v = w * (boostLeft > 0 ? boost : 1);
    // A phrase that starts with its own negator ("not working", "no problem") is already signed.
    if (toks.negated(i) && !negUsed && !(phrase && lex.negator)) {
      v *= v > 0 ? FLIP_POSITIVE : FLIP_NEGATIVE;
      negUsed = true;
    }
    add(acc, v * mult);
    boostLeft = 0;
    i += len;
  }
}
