import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { feedbackId } from '../../../model/ids.ts';
import { loadModelSync } from '../../../pipeline/nlp/classifier/index.ts';
import { tokenizeEn } from '../../../pipeline/nlp/en-tokenizer.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Scores of the shipped models on fixed texts (mentions, URLs, emoticons, negation, Chinese), as
 * the models were built to give them: speed work on features and scoring must not move them.
 */
const TEXTS = [
  "@united worst airline ever, lost my bag and nobody helps",
  "@JetBlue thank you so much :) the crew was amazing! http://t.co/abc123",
  "@AmericanAir not bad at all, didn't expect that. @delta take notes",
  "酒店服务很好，房间干净，下次还来",
  "@小米客服 太难吃了，送餐慢，再也不点了 http://t.cn/xyz ！",
  "mixed 中英文 text @日本http://x.com :( done",
];

const PINNED: Record<string, number[][]> = {
  'sentiment-en': [
    [0.9992146414099389, 0.0001661086675022961, 0.0006192499225589084],
    [0.00011290487613789783, 0.0012722291823903478, 0.9986148659414719],
    [0.8687369713771406, 0.049820590076090986, 0.08144243854676848],
    [0.22135725586486055, 0.5009148125375762, 0.2777279315975632],
    [0.14133010241793884, 0.5050971982238198, 0.35357269935824137],
    [0.32221324436646104, 0.5973743547885163, 0.08041240084502267],
  ],
  'complaint-en': [
    [0.08971555810608234, 0.9102844418939178],
    [0.9961737964008287, 0.003826203599171421],
    [0.5900463981785544, 0.40995360182144563],
    [0.8021770022162465, 0.1978229977837534],
    [0.9218551637564777, 0.07814483624352228],
    [0.8328222188869738, 0.1671777811130262],
  ],
  'sentiment-zh': [
    [0.8797660709015465, 0.12023392909845351],
    [0.8378544106201345, 0.16214558937986548],
    [0.8446378613819167, 0.15536213861808348],
    [0.016166101605864996, 0.9838338983941349],
    [0.9998051644306061, 0.0001948355693939432],
    [0.6757208002925914, 0.3242791997074086],
  ],
};

describe('the shipped models score as pinned', () => {
  for (const [name, expected] of Object.entries(PINNED)) {
    test(`${name} gives the pinned probabilities, with or without the caller's tokens`, () => {
      const clf = loadModelSync(join(ROOT, 'models', `${name}.json.gz`));
      TEXTS.forEach((text, i) => {
        for (const p of [clf.probabilities(text), clf.probabilities(text, tokenizeEn(text)), Float64Array.from(Object.values(clf.predict(text).probabilities))]) {
          expect(p.length).toBe(expected[i]!.length);
          p.forEach((q, k) => expect(Math.abs(q - expected[i]![k]!), `${name} text ${i} class ${k}`).toBeLessThan(1e-9));
        }
      });
    });
  }
});

describe('feedbackId', () => {
  test('gives the ids already stored for known (source, external id) pairs', () => {
    const known: [string, string, string][] = [
    ["classify", "line-1", 'U0Li3fKoZcNKVJLufVnZYt'],
    ["twitter", "1234567890", 'Smi2E9CRTCspZi7yrEAn_j'],
    ["forum", "thread/42#post-7", 'vN2hER1GCAsTLA0JNKwDdK'],
    ["微博", "帖子-1", 'enNcDkfoP40VWMYwnQzLvy'],
    ["", "", 'bjQLnP-zepicpUTmu3gKLH'],
    ];
    for (const [source, externalId, id] of known) expect(feedbackId(source, externalId)).toBe(id);
  });
});
