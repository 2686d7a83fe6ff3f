import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, test } from 'vitest';
import { registerClassify } from '../../../cli/commands/classify.ts';
import { loadConfig } from '../../../config/load.ts';
import type { Config } from '../../../config/schema.ts';
import { tempDir } from '../../helpers/tmp.ts';

/**
 * `allears classify` on a few fixed lines, its results pinned field by field: sentiment label and
 * score, complaint flag and probability, topic ids, escalation level, score and signal ids, PII kinds
 * and the duplicate pointer. Speed work on the pipeline must leave every one of them as it is.
 */
const LINES = [
  { text: 'I will report you to the CFPB and call my lawyer, this overcharge is a scam. Email me at jane.doe@example.com' },
  { text: 'The parcel came three weeks late and the box was crushed. I want a refund now!!!' },
  { text: 'The parcel came three weeks late and the box was crushed. I want a refund now!!!' },
  { text: 'The parcel came three weeks late and the box was totally crushed. I want a refund now!!!' },
  { text: 'Lovely staff at the Shanghai store, checkout was quick and friendly. Thanks!' },
  { text: '快递太慢了，客服也不回复，我要投诉到消费者协会，还要退款' },
  { text: '东西很好，物流很快，非常满意' },
  { text: '房间很脏，前台态度恶劣，再也不会入住了。我的电话 13812345678' },
  { title: 'Ｒｅｆｕｎｄ　ｐｌｅａｓｅ', text: '&lt;b&gt;App keeps crashing&lt;/b&gt; when I try to pay, card 4111 1111 1111 1111 was charged twice' },
  { text: 'thanks!' },
  { text: '' },
  { content: 'My flight was cancelled and nobody at the airport helped. I am going to sue the airline and post this everywhere.' },
  { text: "I'm not unhappy with the service, it is not bad at all" },
  { text: 'The app is fine I guess', title: 'meh' },
  { comment: 'x'.repeat(100_001) },
  { other: 'no text column' },
];

/** One line of output, reduced to the results: lang sentiment(score) complaint(probability) [topics] level(score) [signals] [pii] dup. */
function pinOf(row: Record<string, any>): string {
  if (row.error) return `${row.line} error: ${row.error}`;
  return [
    row.line, row.lang, `${row.sentiment.label}(${row.sentiment.score}/${row.sentiment.confidence})`,
    `complaint=${row.complaint.is}(${row.complaint.probability})`, `[${row.topics.map((t: { id: string }) => t.id).join(',')}]`,
    `${row.escalation.level}(${row.escalation.score})`, `[${row.escalation.signals.map((s: { id: string }) => s.id).join(',')}]`,
    `pii=[${row.pii.join(',')}]`, `dup=${row.duplicateOfLine}`,
  ].join(' ');
}

const t = tempDir('allears-classify-pinned-');
afterAll(() => t.cleanup());

async function classify(config: Config, name: string, batch: number): Promise<Record<string, any>[]> {
  const input = join(t.dir, `${name}.jsonl`);
  const out = join(t.dir, `${name}.out.jsonl`);
  writeFileSync(input, LINES.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const program = new Command('allears').exitOverride();
  registerClassify(program, () => config);
  await program.parseAsync(['classify', input, '--title-col', 'title', '--batch', String(batch), '--out', out], { from: 'user' });
  return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

const base = () => loadConfig({ env: {}, overrides: { deployment: { logLevel: 'silent' }, sources: [] } });

describe('allears classify results are pinned', () => {
  test('with the shipped models (the default config)', async () => {
    const rows = await classify(base(), 'models', 1000);
    expect(rows.map(pinOf)).toEqual([
      '1 en negative(-0.897/0.919) complaint=true(0.635) [billing,account-security] critical(0.898) [regulator,legal,accusation,negative] pii=[email] dup=null',
      '2 en negative(-0.389/0.674) complaint=true(0.741) [delivery,refund] low(0.216) [demand,shouting,negative] pii=[] dup=null',
      '3 en negative(-0.389/0.674) complaint=true(0.741) [delivery,refund] low(0.216) [demand,shouting,negative] pii=[] dup=2',
      '4 en negative(-0.38/0.668) complaint=true(0.722) [delivery,refund] low(0.211) [demand,shouting,negative] pii=[] dup=2',
      '5 en positive(0.932/0.96) complaint=false(0.164) [] low(0) [] pii=[] dup=null',
      '6 zh negative(-0.989/0.995) complaint=true(0.975) [delivery,refund,customer-service] high(0.639) [regulator,negative] pii=[] dup=null',
      '7 zh positive(0.987/0.994) complaint=false(0.029) [delivery] low(0) [] pii=[] dup=null',
      '8 zh negative(-0.975/0.988) complaint=false(0.49) [] medium(0.437) [churn,negative] pii=[phone] dup=null',
      '9 en negative(-0.97/0.974) complaint=true(0.968) [app-website,refund,billing] low(0.194) [negative] pii=[card] dup=null',
      '10 en positive(0.989/0.99) complaint=false(0.067) [] low(0) [] pii=[] dup=null',
      '11 error: text: must not be empty (only survey answers may come without text)',
      '12 en negative(-0.878/0.921) complaint=false(0.416) [] high(0.588) [legal,negative] pii=[] dup=null',
      '13 en negative(-0.842/0.908) complaint=true(0.738) [] low(0.168) [negative] pii=[] dup=null',
      '14 en negative(-0.153/0.508) complaint=false(0.287) [app-website] low(0) [] pii=[] dup=null',
      '15 error: text: must be at most 100000 characters',
      '16 error: text: no column named text, content, body, comment, review, message, narrative in this line',
    ]);
    expect(rows[0]!.models).toEqual({
      normalize: 'rules-1',
      language: 'script-1',
      redact: 'patterns-1',
      dedupe: 'minhash-1',
      sentiment: 'en=sentiment-en-3ebf0ae2,zh=sentiment-zh-552c5dcb;else=lexicon-1',
      complaint: 'en=complaint-en-85b43a03;else=rules-1',
      topics: 'keywords-1',
      touchpoints: 'keywords-1',
      escalation: 'rules-4',
    });
  }, 60_000);

  test('with lexicon and rules only, in small batches', async () => {
    const c = base();
    const rows = await classify({ ...c, models: { ...c.models, sentiment: {}, complaint: {} } }, 'rules', 3);
    expect(rows.map(pinOf)).toEqual([
      '1 en negative(-0.818/0.889) complaint=true(0.975) [billing,account-security] critical(0.889) [regulator,legal,accusation,negative] pii=[email] dup=null',
      '2 en negative(-0.361/0.648) complaint=true(0.743) [delivery,refund] low(0.201) [demand,shouting,negative] pii=[] dup=null',
      '3 en negative(-0.361/0.648) complaint=true(0.743) [delivery,refund] low(0.201) [demand,shouting,negative] pii=[] dup=2',
      '4 en negative(-0.361/0.648) complaint=true(0.743) [delivery,refund] low(0.201) [demand,shouting,negative] pii=[] dup=null',
      '5 en positive(0.791/0.876) complaint=false(0.029) [] low(0) [] pii=[] dup=null',
      '6 zh negative(-0.818/0.889) complaint=true(0.955) [delivery,refund,customer-service] high(0.624) [regulator,negative] pii=[] dup=null',
      '7 zh positive(0.881/0.919) complaint=false(0.029) [delivery] low(0) [] pii=[] dup=null',
      '8 zh negative(-0.791/0.876) complaint=false(0.49) [] medium(0.411) [churn,negative] pii=[phone] dup=null',
      '9 en negative(-0.718/0.839) complaint=true(0.957) [app-website,refund,billing] low(0.144) [negative] pii=[card] dup=null',
      '10 en positive(0.361/0.648) complaint=false(0.029) [] low(0) [] pii=[] dup=null',
      '11 error: text: must not be empty (only survey answers may come without text)',
      '12 en neutral(0/0.4) complaint=false(0.49) [] medium(0.5) [legal] pii=[] dup=null',
      '13 en positive(0.421/0.682) complaint=false(0.029) [] low(0) [] pii=[] dup=null',
      '14 en neutral(0.128/0.659) complaint=false(0.119) [app-website] low(0) [] pii=[] dup=null',
      '15 error: text: must be at most 100000 characters',
      '16 error: text: no column named text, content, body, comment, review, message, narrative in this line',
    ]);
  }, 60_000);
});
