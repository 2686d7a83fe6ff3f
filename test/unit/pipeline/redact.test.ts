import { describe, expect, test } from 'vitest';
import { cnIdValid, luhnValid, redactPii } from '../../../pipeline/nlp/pii.ts';
import { normalizeStage } from '../../../pipeline/stages/normalize.ts';
import { redactStage } from '../../../pipeline/stages/redact.ts';
import { draft, run } from './helpers.ts';

describe('PII redaction', () => {
  test('masks e-mail addresses', () => {
    expect(redactPii('write to jane.doe+vip@mail.example.co.uk today')).toEqual({ text: 'write to [email] today', kinds: ['email'] });
  });

  test.each([
    ['13812345678', '[phone]'],
    ['+86 138 1234 5678', '[phone]'],
    ['0086-13812345678', '[phone]'],
    ['电话13812345678谢谢', '电话[phone]谢谢'],
    ['(415) 555-2671', '[phone]'],
    ['415-555-2671', '[phone]'],
    ['1-800-555-0199', '[phone]'],
    ['+44 20 7946 0958', '[phone]'],
    ['010-12345678', '[phone]'],
  ])('masks the phone number %s', (phone, masked) => {
    const r = redactPii(`call ${phone} please`);
    expect(r.text).toBe(`call ${masked} please`);
    expect(r.kinds).toEqual(['phone']);
  });

  test('masks an address after mentions, and leaves mentions alone', () => {
    expect(redactPii('@united @delta mail me at jane.doe@example.com or @bob').text).toBe('@united @delta mail me at [email] or @bob');
    expect(redactPii('@united @delta x@ no address here @').kinds).toEqual([]);
    expect(redactPii('@a@b.co').text).toBe('@[email]');
  });

  test('masks an 18-character Chinese resident ID with a valid checksum, with an X check digit too', () => {
    expect(cnIdValid('11010519491231002X')).toBe(true);
    expect(redactPii('身份证 11010519491231002X 和 440304199001011233').text).toBe('身份证 [id] 和 [id]');
    expect(redactPii('身份证 440304199001011233').kinds).toEqual(['cn_id']);
  });

  test('leaves an 18-digit number with a wrong ID checksum as it is', () => {
    expect(redactPii('单号 440304199001011234').text).toBe('单号 440304199001011234');
  });

  test('masks the old 15-digit ID only after an ID word', () => {
    expect(redactPii('身份证号：110105491231002').text).toBe('身份证号：[id]');
    expect(redactPii('tracking 110105491231002').text).toBe('tracking 110105491231002');
  });

  test('masks payment cards that pass the Luhn check, with or without spaces and dashes', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(redactPii('card 4111 1111 1111 1111 was charged').text).toBe('card [card] was charged');
    expect(redactPii('amex 3782-822463-10005').text).toBe('amex [card]');
    expect(redactPii('银行卡6212345678901232被盗刷').kinds).toEqual(['card']);
    expect(redactPii('card 4111 1111 1111 1111 2 items').text).toBe('card [card] 2 items');
  });

  test('does not mask a Luhn-invalid 16-digit order number, or a Luhn-valid one that no card starts with', () => {
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(redactPii('order 4111111111111112 is late')).toEqual({ text: 'order 4111111111111112 is late', kinds: [] });
    expect(redactPii('order 1234567812345670 is late').kinds).toEqual([]);
  });

  test('does not mask dates, prices, times or short numbers', () => {
    const text = 'Ordered 2024-03-01 at 14:30, paid $1,299.99 for 2 items, order #88231, ticket 2024030112';
    expect(redactPii(text)).toEqual({ text, kinds: [] });
  });

  test('the stage masks text, title and survey comment, flags the kinds, and keeps originalText', async () => {
    const text = 'Mail me at a@b.com or call 13812345678';
    const [d] = await run([normalizeStage(), redactStage()], [
      draft({
        title: 'card 4111111111111111',
        text,
        channel: 'survey',
        survey: { survey: 's', metric: 'csat', score: 1, comment: 'reach me: x@y.org' },
      }),
    ]);
    expect(d!.text).toBe('Mail me at [email] or call [phone]');
    expect(d!.title).toBe('card [card]');
    expect(d!.survey?.comment).toBe('reach me: [email]');
    expect(d!.analysis.pii).toEqual(['email', 'phone', 'card']);
    expect(d!.originalText).toBe(text);
    expect(d!.analysis.models.redact).toBe('patterns-1');
  });

  test('sets an empty kind list when nothing is found', async () => {
    const [d] = await run([normalizeStage(), redactStage()], [draft({ text: 'nothing personal here' })]);
    expect(d!.analysis.pii).toEqual([]);
  });
});
