import { createServer } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { SourceConfig } from '../../../config/schema.ts';
import { MemoryCheckpointStore, runWithCheckpoint } from '../../../crawlers/checkpoint.ts';
import { htmlMailToText, trimQuoted, unflow } from '../../../crawlers/imap/content.ts';
import { decodeWords, parseAddress, parseDate, parseParamHeader } from '../../../crawlers/imap/mime.ts';
import { imapSource, type ImapDeps } from '../../../crawlers/imap/source.ts';
import { AllearsError, ConfigError, TransientError } from '../../../model/errors.ts';
import { RawItem, type RawItemInput } from '../../../model/index.ts';
import { startImapServer, type ImapTestMessage, type ImapTestServer } from '../../helpers/imap-server.ts';

const NOW = new Date('2026-11-24T00:00:00Z');
const USER = 'complaints@shop.example';
const PASSWORD = 'pa55 "w0rd"\\ü';
const ENV = { COMPLAINTS_IMAP_USER: USER, COMPLAINTS_IMAP_PASSWORD: PASSWORD };
const DEPS: ImapDeps = { env: ENV, now: () => NOW };

const b64 = (s: string | Buffer) => (Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8')).toString('base64').replace(/.{76}/g, '$&\n');
const at = (iso: string) => new Date(iso);

/** Plain English complaint, quoted-printable with a soft line break and a UTF-8 apostrophe. */
const EN_QP: ImapTestMessage = {
  internalDate: at('2026-11-20T09:00:05Z'),
  raw: [
    'Return-Path: <alice@example.com>',
    'From: "Alice Chen" <Alice@Example.com>',
    'To: complaints@shop.example',
    'Subject: Refund still not received',
    'Date: Fri, 20 Nov 2026 09:00:00 +0000',
    'Message-ID: <en-1@mail.example.com>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'I returned the blender three weeks ago and the refund still hasn=E2=80=99t a=',
    'rrived. Order A1001.',
    '',
  ].join('\n'),
};

/** Chinese complaint: encoded-word subject and sender name, base64 UTF-8 body. */
const ZH_B64: ImapTestMessage = {
  internalDate: at('2026-11-21T02:00:00Z'),
  raw: [
    `From: =?UTF-8?B?${b64('王小明')}?= <wang@example.cn>`,
    'To: complaints@shop.example',
    `Subject: =?UTF-8?B?${b64('退款一直没有到账')}?=`,
    'Date: Sat, 21 Nov 2026 10:00:00 +0800',
    'Message-ID: <zh-1@mail.example.cn>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64('您好，我上周申请的退款到现在还没有到账，订单号 A1001。请帮忙查一下。\n'),
    '',
  ].join('\n'),
};

/** multipart/alternative: the text/plain version wins over the HTML one. */
const ALTERNATIVE: ImapTestMessage = {
  internalDate: at('2026-11-21T12:00:00Z'),
  raw: [
    'From: Bob <bob@example.org>',
    'Subject: Broken lid',
    'Date: Sat, 21 Nov 2026 12:00:00 +0000',
    'Message-ID: <alt-1@example.org>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="b1"',
    '',
    'This is a multi-part message in MIME format.',
    '--b1',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'The lid cracked on the first day.',
    '--b1',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<html><body><p>The lid <b>cracked</b> on the first day.</p><p>HTML VERSION</p></body></html>',
    '--b1--',
    '',
  ].join('\n'),
};

/** HTML only: converted to text, the quoted <blockquote> dropped. */
const HTML_ONLY: ImapTestMessage = {
  internalDate: at('2026-11-21T13:00:00Z'),
  raw: [
    'From: carol@example.net',
    'Subject: =?UTF-8?Q?Delivery_=E2=80=94_late_again?=',
    'Date: Sat, 21 Nov 2026 13:00:00 +0000',
    'Message-ID: <html-1@example.net>',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    '<div>Late again &amp; nobody answers.</div><div>Third time this month.</div>',
    '<div class=3D"gmail_quote">On Fri, 20 Nov 2026, Shop &lt;support@shop.example&gt; wrote:<br>',
    '<blockquote>We apologise for the delay.<blockquote>older</blockquote></blockquote></div>',
    '',
  ].join('\n'),
};

const PDF_MARKER = 'PDF-CONTENT-MUST-NOT-BE-STORED';

/** A complaint with two attachments: noted by name and type, never stored. */
const WITH_ATTACHMENT: ImapTestMessage = {
  internalDate: at('2026-11-22T08:00:00Z'),
  raw: [
    'From: Dan <dan@example.com>',
    'Subject: Wrong invoice',
    'Date: Sun, 22 Nov 2026 08:00:00 +0000',
    'Message-ID: <att-1@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mix"',
    '',
    '--mix',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The invoice charges me twice, see attached.',
    '--mix',
    'Content-Type: application/pdf; name="invoice.pdf"',
    'Content-Disposition: attachment; filename="invoice.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    b64(PDF_MARKER),
    '--mix',
    'Content-Type: image/png',
    "Content-Disposition: attachment; filename*=UTF-8''%E5%8F%91%E7%A5%A8.png",
    'Content-Transfer-Encoding: base64',
    '',
    b64(Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])),
    '--mix--',
    '',
  ].join('\n'),
};

/** A reply in Alice's thread, top-posted above the quoted support answer. */
const REPLY_EN: ImapTestMessage = {
  internalDate: at('2026-11-22T10:00:00Z'),
  raw: [
    'From: "Alice Chen" <alice@example.com>',
    'Subject: Re: Refund still not received',
    'Date: Sun, 22 Nov 2026 10:00:00 +0000',
    'Message-ID: <en-3@mail.example.com>',
    'In-Reply-To: <sup-2@shop.example>',
    'References: <en-1@mail.example.com>',
    '  <sup-2@shop.example>',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Still nothing. This is unacceptable.',
    '',
    'On Sat, 21 Nov 2026 at 15:00, Shop Support <support@shop.example>',
    'wrote:',
    '> We are looking into it.',
    '>> I returned the blender three weeks ago',
    '',
    '-- ',
    'Alice Chen, +1 555 0100',
    '',
  ].join('\n'),
};

/** A Chinese reply in GBK: "在…写道：" attribution and quoted lines trimmed. */
const REPLY_ZH_GBK: ImapTestMessage = {
  internalDate: at('2026-11-22T11:00:00Z'),
  raw: [
    `From: =?UTF-8?B?${b64('王小明')}?= <wang@example.cn>`,
    `Subject: =?UTF-8?B?${b64('回复：退款一直没有到账')}?=`,
    'Date: Sun, 22 Nov 2026 19:00:00 +0800',
    'Message-ID: <zh-3@mail.example.cn>',
    'In-Reply-To: <zh-2@shop.example>',
    'References: <zh-1@mail.example.cn> <zh-2@shop.example>',
    'Content-Type: text/plain; charset=gb2312',
    'Content-Transfer-Encoding: base64',
    '',
    // "还是没有收到退款，请尽快处理。\n\n在 2026年11月23日 10:00，客服 <support@shop.example> 写道：\n> 我们正在处理您的退款。\n" in GBK
    'u7nKx8O709DK1bW9zcu/7qOsx+u+ob/stKbA7aGjCgrU2iAyMDI2xOoxMdTCMjPI1SAxMDowMKOs',
    'v823/iA8c3VwcG9ydEBzaG9wLmV4YW1wbGU+INC0tcCjugo+IM7Sw8fV/dTatKbA7cT6tcTNy7/u',
    'oaMK',
    '',
  ].join('\n'),
};

/** Broken MIME: a multipart without its boundary parameter. */
const MALFORMED: ImapTestMessage = {
  internalDate: at('2026-11-22T12:00:00Z'),
  raw: [
    'From: eve@example.com',
    'Subject: broken',
    'Date: Sun, 22 Nov 2026 12:00:00 +0000',
    'Message-ID: <bad-1@example.com>',
    'Content-Type: multipart/mixed',
    '',
    'no boundary here',
    '',
  ].join('\n'),
};

/** No Message-ID, no Date: the UID and the arrival time stand in. */
const BARE: ImapTestMessage = {
  internalDate: at('2026-11-22T13:14:15Z'),
  raw: 'From: frank@example.com\nSubject: No headers to speak of\n\nThe app crashes on login.\n',
};

const FIRST_BATCH = [EN_QP, ZH_B64, ALTERNATIVE, HTML_ONLY, WITH_ATTACHMENT, REPLY_EN, MALFORMED, BARE];

function config(server: { host: string; port: number }, options: Record<string, unknown> = {}): SourceConfig {
  return SourceConfig.parse({
    id: 'complaints-inbox',
    kind: 'imap',
    options: { host: server.host, port: server.port, secure: false, userEnv: 'COMPLAINTS_IMAP_USER', passwordEnv: 'COMPLAINTS_IMAP_PASSWORD', ...options },
  });
}

const signal = () => new AbortController().signal;
const byId = (items: unknown[]) => new Map((items as RawItemInput[]).map((i) => [i.externalId, i]));

let server: ImapTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('imap source against a local IMAP server', () => {
  test('the first run maps every message; a malformed one is skipped with a warning', async () => {
    server = await startImapServer({ user: USER, password: PASSWORD, messages: FIRST_BATCH });
    const source = imapSource(config(server), DEPS);
    const { items, checkpoint, warnings = [] } = await source.runFrom({ signal: signal(), checkpoint: null });

    expect(items).toHaveLength(7);
    for (const item of items) expect(RawItem.safeParse(item).success).toBe(true);
    const got = byId(items);

    const en = got.get('en-1@mail.example.com')!;
    expect(en).toMatchObject({
      source: { id: 'complaints-inbox', kind: 'imap' },
      channel: 'email',
      initiator: 'customer',
      author: { id: 'alice@example.com', name: 'Alice Chen' },
      title: 'Refund still not received',
      text: 'I returned the blender three weeks ago and the refund still hasn’t arrived. Order A1001.',
      publishedAt: '2026-11-20T09:00:00.000Z',
      threadId: 'en-1@mail.example.com',
      dimensions: { thread: 'en-1@mail.example.com' },
    });
    expect(en.parentId).toBeUndefined();

    const zh = got.get('zh-1@mail.example.cn')!;
    expect(zh.title).toBe('退款一直没有到账');
    expect(zh.author).toEqual({ id: 'wang@example.cn', name: '王小明' });
    expect(zh.text).toBe('您好，我上周申请的退款到现在还没有到账，订单号 A1001。请帮忙查一下。');
    expect(zh.publishedAt).toBe('2026-11-21T02:00:00.000Z');

    const alt = got.get('alt-1@example.org')!;
    expect(alt.text).toBe('The lid cracked on the first day.');
    expect((alt.raw as { body: string }).body).toBe('plain');

    const html = got.get('html-1@example.net')!;
    expect(html.title).toBe('Delivery — late again');
    expect(html.text).toBe('Late again & nobody answers.\nThird time this month.');
    expect(html.author).toEqual({ id: 'carol@example.net' });

    const att = got.get('att-1@example.com')!;
    expect(att.text).toBe('The invoice charges me twice, see attached.');
    expect(att.dimensions).toEqual({ thread: 'att-1@example.com', attachments: '2' });
    expect((att.raw as { attachments: unknown }).attachments).toEqual([
      { name: 'invoice.pdf', type: 'application/pdf', size: PDF_MARKER.length },
      { name: '发票.png', type: 'image/png', size: 7 },
    ]);
    expect(JSON.stringify(att)).not.toContain(PDF_MARKER);
    expect(JSON.stringify(att)).not.toContain(b64(PDF_MARKER).trim());

    const reply = got.get('en-3@mail.example.com')!;
    expect(reply.text).toBe('Still nothing. This is unacceptable.');
    expect(reply.threadId).toBe('en-1@mail.example.com');
    expect(reply.parentId).toBe('sup-2@shop.example');
    expect(reply.dimensions?.thread).toBe('en-1@mail.example.com');

    const bare = (items as RawItemInput[]).find((i) => i.title === 'No headers to speak of')!;
    expect(bare.externalId).toBe('INBOX/1700000000/8');
    expect(bare.publishedAt).toBe('2026-11-22T13:14:15.000Z');
    expect(bare.text).toBe('The app crashes on login.');
    expect(warnings).toContain('message uid 8: no readable Date header; used the arrival time');

    expect(got.has('bad-1@example.com')).toBe(false);
    expect(warnings.some((w) => /^message uid 7 skipped: unreadable message \(multipart\/mixed without a boundary/.test(w))).toBe(true);
    expect(checkpoint).toEqual({ mailbox: 'INBOX', uidValidity: '1700000000', lastUid: 8 });
  });

  test('a second run yields only the messages that arrived since, including a GBK reply in a thread', async () => {
    server = await startImapServer({ user: USER, password: PASSWORD, messages: [EN_QP, ZH_B64] });
    const source = imapSource(config(server), DEPS);
    const store = new MemoryCheckpointStore();
    const runs: string[][] = [];
    const accept = async (items: unknown[]) => runs.push((items as RawItemInput[]).map((i) => i.externalId));

    await runWithCheckpoint(source, store, signal(), accept);
    server.append(REPLY_ZH_GBK, WITH_ATTACHMENT);
    await runWithCheckpoint(source, store, signal(), accept);
    const fetchesBefore = server.commands.filter((c) => c.startsWith('UID FETCH')).length;
    await runWithCheckpoint(source, store, signal(), accept);

    expect(runs).toEqual([
      ['en-1@mail.example.com', 'zh-1@mail.example.cn'],
      ['zh-3@mail.example.cn', 'att-1@example.com'],
      [],
    ]);
    // Nothing new: the third run does not fetch at all.
    expect(server.commands.filter((c) => c.startsWith('UID FETCH')).length).toBe(fetchesBefore);
    expect(await store.get('complaints-inbox')).toEqual({ mailbox: 'INBOX', uidValidity: '1700000000', lastUid: 4 });

    const { items } = await source.runFrom({ signal: signal(), checkpoint: { mailbox: 'INBOX', uidValidity: '1700000000', lastUid: 2 } });
    const zhReply = byId(items).get('zh-3@mail.example.cn')!;
    expect(zhReply).toMatchObject({
      title: '回复：退款一直没有到账',
      text: '还是没有收到退款，请尽快处理。',
      threadId: 'zh-1@mail.example.cn',
      parentId: 'zh-2@shop.example',
      dimensions: { thread: 'zh-1@mail.example.cn' },
      publishedAt: '2026-11-22T11:00:00.000Z',
    });
  });

  test('with markSeen false the mailbox is opened read-only and no flag changes', async () => {
    server = await startImapServer({ user: USER, password: PASSWORD, messages: [{ ...EN_QP, flags: ['\\Flagged'] }, ZH_B64, REPLY_EN] });
    const before = server.snapshot();
    const { items } = await imapSource(config(server), DEPS).runFrom({ signal: signal(), checkpoint: null });
    expect(items).toHaveLength(3);
    expect(server.snapshot()).toEqual(before);
    expect(server.commands).toContain('EXAMINE INBOX');
    expect(server.commands.some((c) => c.startsWith('SELECT') || c.includes('STORE'))).toBe(false);
    expect(server.commands.filter((c) => c.startsWith('UID FETCH')).every((c) => !/BODY\[/.test(c))).toBe(true);
  });

  test('with markSeen true the messages read are flagged \\Seen', async () => {
    server = await startImapServer({ user: USER, password: PASSWORD, messages: [EN_QP, ZH_B64] });
    await imapSource(config(server, { markSeen: true }), DEPS).runFrom({ signal: signal(), checkpoint: null });
    expect(server.snapshot()).toEqual([{ uid: 1, flags: ['\\Seen'] }, { uid: 2, flags: ['\\Seen'] }]);
  });

  test('a wrong password is an auth error naming the variables, never the secret', async () => {
    server = await startImapServer({ user: USER, password: PASSWORD, messages: [EN_QP] });
    const wrong = 'not-the-Secret-42';
    const source = imapSource(config(server), { ...DEPS, env: { ...ENV, COMPLAINTS_IMAP_PASSWORD: wrong } });
    const err = await source.runFrom({ signal: signal(), checkpoint: null }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AllearsError);
    const e = err as AllearsError;
    expect(e.code).toBe('source_auth_failed');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('login failed');
    expect(e.message).toContain('COMPLAINTS_IMAP_PASSWORD');
    expect(`${e.message} ${JSON.stringify(e.details)}`).not.toContain(wrong);
    expect(e.message).not.toContain(USER);
  });

  test('LOGIN works when the server offers no SASL mechanism; a protocol log never shows the login', async () => {
    for (const authPlain of [false, true]) {
      server = await startImapServer({ user: USER, password: PASSWORD, messages: [EN_QP], authPlain });
      const log: string[] = [];
      const logger = { debug: (o: unknown) => log.push(JSON.stringify(o)), info: (o: unknown) => log.push(JSON.stringify(o)), warn: (o: unknown) => log.push(JSON.stringify(o)), error: (o: unknown) => log.push(JSON.stringify(o)) };
      const { items } = await imapSource(config(server), { ...DEPS, logger }).runFrom({ signal: signal(), checkpoint: null });
      expect(items).toHaveLength(1);
      expect(server.commands).toContain(authPlain ? 'AUTHENTICATE ***' : 'LOGIN ***');
      const text = log.join('\n');
      expect(text).toContain('EXAMINE');
      for (const secret of [USER, 'pa55', Buffer.from(USER).toString('base64').slice(0, 12), Buffer.from(`\0${USER}`).toString('base64').slice(0, 12)]) expect(text).not.toContain(secret);
      await server.close();
      server = undefined;
    }
  });

  test('a mailbox that does not exist is a clear, non-retryable error', async () => {
    server = await startImapServer({ user: USER, password: PASSWORD, messages: [EN_QP] });
    const err = await imapSource(config(server, { mailbox: 'Complaints' }), DEPS).runFrom({ signal: signal(), checkpoint: null }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'source_mailbox_unavailable', retryable: false });
    expect((err as Error).message).toContain('cannot open mailbox "Complaints"');
  });

  test('a missing environment variable is a ConfigError naming it', async () => {
    const source = imapSource(config({ host: '127.0.0.1', port: 1 }), { ...DEPS, env: { COMPLAINTS_IMAP_USER: USER } });
    const err = await source.runFrom({ signal: signal(), checkpoint: null }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('environment variable COMPLAINTS_IMAP_PASSWORD is not set');
  });

  test('bad options are a ConfigError naming the field', () => {
    expect(() => imapSource(config({ host: '127.0.0.1', port: 143 }, { userEnv: 'not a name' }))).toThrow(ConfigError);
    try {
      imapSource(config({ host: '127.0.0.1', port: 143 }, { userEnv: 'not a name' }));
    } catch (err) {
      expect((err as ConfigError).details[0]!.path).toBe('sources.complaints-inbox.options.userEnv');
    }
  });

  test('connection refused and a silent server are retryable', async () => {
    const closed = await freePort();
    const refused = await imapSource(config({ host: '127.0.0.1', port: closed }), DEPS).runFrom({ signal: signal(), checkpoint: null }).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(TransientError);
    expect((refused as TransientError).retryable).toBe(true);
    expect((refused as Error).message).toContain('ECONNREFUSED');

    server = await startImapServer({ silent: true });
    const silent = await imapSource(config(server, { timeout: '300ms' }), DEPS).runFrom({ signal: signal(), checkpoint: null }).then(() => null, (e: unknown) => e);
    expect(silent).toBeInstanceOf(TransientError);
  });

  test('a rebuilt mailbox (new UIDVALIDITY) is re-read within the look-back window, with a warning', async () => {
    const old = { ...EN_QP, internalDate: at('2026-09-01T00:00:00Z') };
    server = await startImapServer({ user: USER, password: PASSWORD, messages: [old, ZH_B64, ALTERNATIVE] });
    const source = imapSource(config(server, { lookback: '7d' }), DEPS);
    const first = await source.runFrom({ signal: signal(), checkpoint: null });
    // The first run reads only the look-back window.
    expect(first.items.map((i) => (i as RawItemInput).externalId)).toEqual(['zh-1@mail.example.cn', 'alt-1@example.org']);
    server.rebuild(1_800_000_000);
    const second = await source.runFrom({ signal: signal(), checkpoint: first.checkpoint });
    expect(second.items.map((i) => (i as RawItemInput).externalId)).toEqual(['zh-1@mail.example.cn', 'alt-1@example.org']);
    expect(second.warnings?.some((w) => w.includes('UIDVALIDITY 1700000000 → 1800000000'))).toBe(true);
    expect(second.checkpoint).toEqual({ mailbox: 'INBOX', uidValidity: '1800000000', lastUid: 3 });
  });

  test('maxMessages reads the oldest first and leaves the rest for the next run', async () => {
    server = await startImapServer({ user: USER, password: PASSWORD, messages: [EN_QP, ZH_B64, ALTERNATIVE] });
    const source = imapSource(config(server, { maxMessages: 2 }), DEPS);
    const first = await source.runFrom({ signal: signal(), checkpoint: null });
    expect(first.items).toHaveLength(2);
    expect(first.warnings?.[0]).toContain('3 new messages; read the oldest 2');
    const second = await source.runFrom({ signal: signal(), checkpoint: first.checkpoint });
    expect(second.items.map((i) => (i as RawItemInput).externalId)).toEqual(['alt-1@example.org']);
  });

  test('a message over maxMessageBytes is read from its beginning, with a warning', async () => {
    const big = { ...WITH_ATTACHMENT, raw: (WITH_ATTACHMENT.raw as string).replace(b64(PDF_MARKER), b64('x'.repeat(20_000))) };
    server = await startImapServer({ user: USER, password: PASSWORD, messages: [big] });
    const { items, warnings } = await imapSource(config(server, { maxMessageBytes: 4096 }), DEPS).runFrom({ signal: signal(), checkpoint: null });
    expect((items[0] as RawItemInput).text).toBe('The invoice charges me twice, see attached.');
    expect(warnings?.some((w) => w.includes('larger than maxMessageBytes'))).toBe(true);
  });
  test('auto-replies and delivery reports are left out and counted, unless asked for', async () => {
    const autoReply = [
      'From: Alice Chen <alice@example.com>', 'Subject: Out of office', 'Date: Sun, 22 Nov 2026 09:00:00 +0000',
      'Message-ID: <ooo-1@example.com>', 'Auto-Submitted: auto-replied', '', 'I am away until Monday.', '',
    ].join('\n');
    const bounce = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>', 'Subject: Undelivered Mail Returned to Sender',
      'Date: Sun, 22 Nov 2026 09:01:00 +0000', 'Message-ID: <dsn-1@mx.example.com>',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="r"', '',
      '--r', 'Content-Type: text/plain', '', 'Your message could not be delivered.', '--r--', '',
    ].join('\n');
    const when = at('2026-11-22T09:00:00Z');
    server = await startImapServer({ user: USER, password: PASSWORD, messages: [EN_QP, { raw: autoReply, internalDate: when }, { raw: bounce, internalDate: when }] });
    const skipped = await imapSource(config(server), DEPS).runFrom({ signal: signal(), checkpoint: null });
    expect(skipped.items.map((i) => (i as RawItemInput).externalId)).toEqual(['en-1@mail.example.com']);
    expect(skipped.warnings).toContain('2 automated message(s) skipped (auto-replies, delivery reports)');
    expect(skipped.checkpoint).toMatchObject({ lastUid: 3 });
    const kept = await imapSource(config(server, { skipAutomated: false }), DEPS).runFrom({ signal: signal(), checkpoint: null });
    expect(kept.items).toHaveLength(3);
  });

  test('an aborted run stops and rejects with the abort reason', async () => {
    server = await startImapServer({ silent: true });
    const controller = new AbortController();
    const run = imapSource(config(server, { timeout: '30s' }), DEPS).runFrom({ signal: controller.signal, checkpoint: null });
    setTimeout(() => controller.abort(), 50);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('imap message reading', () => {
  test('encoded words split inside a character, RFC 2231 parameters, address forms, dates', () => {
    const bytes = Buffer.from('退款一直没有到账', 'utf8');
    expect(decodeWords(`=?UTF-8?B?${bytes.subarray(0, 4).toString('base64')}?=  =?utf-8?B?${bytes.subarray(4).toString('base64')}?= ok`)).toBe('退款一直没有到账 ok');
    expect(decodeWords('=?ISO-8859-1?Q?caf=E9_cr=E8me?= and plain')).toBe('café crème and plain');
    expect(parseParamHeader("attachment; filename*0*=UTF-8''%E5%8F%91; filename*1*=%E7%A5%A8.pdf").params.filename).toBe('发票.pdf');
    expect(parseAddress('alice@example.com (Alice A.)')).toEqual({ address: 'alice@example.com', name: 'Alice A.' });
    expect(parseAddress('"Chen, Alice" <alice@example.com>, bob@example.com')).toEqual({ address: 'alice@example.com', name: 'Chen, Alice' });
    expect(parseDate('Mon, 23 Nov 2026 10:00:00 +0800 (CST)')?.toISOString()).toBe('2026-11-23T02:00:00.000Z');
    expect(parseDate('not a date')).toBeUndefined();
  });

  test('quoted replies are trimmed in English and Chinese, inline answers kept', () => {
    expect(trimQuoted('Thanks.\n\n-----Original Message-----\nFrom: Shop\nSent: Monday\nOld text')).toBe('Thanks.');
    expect(trimQuoted('还是不行。\n\n------------------ 原始邮件 ------------------\n发件人: 客服\n发送时间: 周一\n旧内容')).toBe('还是不行。');
    expect(trimQuoted('还是不行。\n\n张三 <z@example.cn> 于2026年11月23日周一 10:00写道：\n> 旧内容')).toBe('还是不行。');
    expect(trimQuoted('From: Shop <s@shop.example>\nSent: Monday\nTo: me\n\nold')).toBe('');
    expect(trimQuoted('> Did it arrive?\nNo, it did not.\n> Which order?\nA1001.')).toBe('No, it did not.\nA1001.');
    expect(trimQuoted('On Monday I called twice and nobody answered.')).toBe('On Monday I called twice and nobody answered.');
  });

  test('format=flowed lines are joined back, per quote depth', () => {
    expect(unflow('The refund was promised \nthree weeks ago.\n> We will \n> check.\nStill nothing.', false))
      .toBe('The refund was promised three weeks ago.\n> We will check.\nStill nothing.');
    expect(unflow('long\u00adword-split \nhere', true)).toBe('long\u00adword-splithere');
  });

  test('HTML mail keeps its line breaks and loses quoted blockquotes', () => {
    expect(htmlMailToText('<p>One&nbsp;line</p><p>Two\n  lines</p><blockquote>quoted</blockquote><br>3 &lt; 4')).toBe('One line\nTwo lines\n\n3 < 4');
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
