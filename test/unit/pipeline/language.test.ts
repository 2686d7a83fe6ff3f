import { describe, expect, test } from 'vitest';
import { detectLanguage } from '../../../pipeline/nlp/language.ts';
import { languageStage } from '../../../pipeline/stages/language.ts';
import { draft, run } from './helpers.ts';

describe('language detection', () => {
  test.each([
    ['快递三天了还没到，客服也不回复', 'zh'],
    ['iPhone 15 屏幕坏了，客服不理人', 'zh'],
    ['The app keeps crashing when I try to pay', 'en'],
    ['I bought a 小米 phone and the screen cracked after two days', 'en'],
    ['Terrible service', 'en'],
    ['El pedido llegó tarde y el servicio fue muy malo', 'other'],
    ['Die Lieferung ist nicht angekommen und der Service ist schlecht', 'other'],
    ['配送が遅れていて、サポートも返事がありません', 'other'],
    ['배송이 너무 늦어요', 'other'],
    ['Доставка опоздала на неделю', 'other'],
    ['12345 !!!', 'other'],
  ])('%s → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });

  test('the stage sets lang from title and text and records its version', async () => {
    const [zh, en] = await run([languageStage()], [draft({ title: '差评', text: '物流太慢' }), draft({ text: 'Where is my refund?' })]);
    expect(zh!.lang).toBe('zh');
    expect(en!.lang).toBe('en');
    expect(en!.analysis.models.language).toBe('script-1');
  });
});
