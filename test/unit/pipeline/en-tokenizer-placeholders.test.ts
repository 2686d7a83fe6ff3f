import { describe, expect, test } from 'vitest';
import { tokenizeEn, tokenizeEnTransient, withPlaceholders, withPlaceholdersTransient, type EnTokens, type Placeholder } from '../../../pipeline/nlp/en-tokenizer.ts';

/** Words with their clause-start and negation flags: what the scorers read. */
const view = (t: EnTokens) => Array.from({ length: t.length }, (_, i) => `${t.word(i)}${t.clauseStart(i) ? '|' : ''}${t.negated(i) ? '~' : ''}`);

/** Spans of `text` between the markers ⟦ and ⟧, each to be read as `word`; and the text without markers. */
function spansOf(marked: string, word = 'xxuser'): { text: string; spans: Placeholder[]; rewritten: string } {
  const spans: Placeholder[] = [];
  let text = '';
  let rewritten = '';
  let start = -1;
  for (const ch of marked) {
    if (ch === '⟦') start = text.length;
    else if (ch === '⟧') {
      spans.push({ start, end: text.length, word });
      rewritten += ` ${word} `;
      start = -1;
    } else {
      text += ch;
      if (start < 0) rewritten += ch;
    }
  }
  return { text, spans, rewritten };
}

const CASES = [
  '⟦@united⟧ not happy, ⟦@delta⟧ was fine',
  "I don't like ⟦@bob's⟧ service at all",
  'never ⟦@a.b, c!⟧ good again',
  'not ⟦@日本⟧ good',
  'café⟦http://x.com⟧ closed',
  "rock'⟦http://x⟧ roll",
  '⟦@x⟧⟦@y⟧ but not bad',
  'no ⟦@one⟧ two three four',
  '',
  '⟦@only⟧',
];

describe('tokenizeEn with placeholders', () => {
  test.each(CASES)('reads each span as one placeholder word, as the rewritten text would tokenize: %s', (marked) => {
    const { text, spans, rewritten } = spansOf(marked);
    expect(view(tokenizeEn(text, spans))).toEqual(view(tokenizeEn(rewritten)));
  });

  test.each(CASES)('withPlaceholders gives the same tokens from the text’s own tokens: %s', (marked) => {
    const { text, spans } = spansOf(marked);
    const direct = tokenizeEn(text, spans);
    const derived = withPlaceholders(tokenizeEn(text), text, spans);
    expect(view(derived)).toEqual(view(direct));
    expect(Array.from({ length: derived.length }, (_, i) => [derived.start(i), derived.end(i)])).toEqual(
      Array.from({ length: direct.length }, (_, i) => [direct.start(i), direct.end(i)]),
    );
  });

  test.each(CASES)('the transient forms give the same tokens as the owned ones: %s', (marked) => {
    const { text, spans } = spansOf(marked);
    const offsets = (t: EnTokens) => Array.from({ length: t.length }, (_, i) => [t.start(i), t.end(i)]);
    const owned = tokenizeEn(text);
    expect(view(tokenizeEnTransient(text))).toEqual(view(owned));
    const direct = tokenizeEn(text, spans);
    const fromText = tokenizeEnTransient(text, spans);
    expect([view(fromText), offsets(fromText)]).toEqual([view(direct), offsets(direct)]);
    const derived = withPlaceholdersTransient(owned, text, spans);
    expect([view(derived), offsets(derived)]).toEqual([view(direct), offsets(direct)]);
  });

  test.each(CASES)('withPlaceholdersTransient and withPlaceholders read a transient view safely: %s', (marked) => {
    const { text, spans } = spansOf(marked);
    expect(view(withPlaceholdersTransient(tokenizeEnTransient(text), text, spans))).toEqual(view(tokenizeEn(text, spans)));
    expect(view(withPlaceholders(tokenizeEnTransient(text), text, spans))).toEqual(view(tokenizeEn(text, spans)));
  });

  test('a transient view ends at its own last token, though the buffers hold more from a longer text', () => {
    tokenizeEnTransient('one two three four five six');
    const short = tokenizeEnTransient('not bad');
    expect(short.length).toBe(2);
    expect(view(short)).toEqual(view(tokenizeEn('not bad')));
  });
});
