import { MAX_TEXT_CHARS, type Channel, type RawItemInput } from '../../model/index.ts';
import { extractContent, trimQuoted, type AttachmentNote } from './content.ts';
import { decodeWords, header, messageIds, parseAddress, parseDate, parseMessage, type MimePart } from './mime.ts';

export interface MessageContext {
  sourceId: string;
  channel: Channel;
  mailbox: string;
  uidValidity: string;
  uid: number;
  /** The server's arrival time, used when the Date header is missing or unreadable. */
  internalDate?: Date;
  /** The message was larger than the byte budget and only its beginning was read. */
  truncated?: boolean;
}

export interface MappedMessage {
  item: RawItemInput;
  warnings: string[];
  /** Written by a machine, not a customer: an auto-reply or a delivery report. */
  automated: boolean;
}

/** RFC 3834 auto-replies, vacation responders and RFC 3464 delivery reports. */
function isAutomated(root: MimePart, from: string | undefined): boolean {
  const auto = header(root, 'auto-submitted');
  if (auto !== undefined && !/^\s*no\b/i.test(auto)) return true;
  if (header(root, 'x-autoreply') !== undefined || header(root, 'x-autorespond') !== undefined) return true;
  if (/^\s*(?:junk|auto_reply)\b/i.test(header(root, 'precedence') ?? '')) return true;
  if (root.type === 'multipart/report') return true;
  return /^(?:mailer-daemon|postmaster)@/i.test(from ?? '');
}

/**
 * One RFC 822 message → one raw item. externalId is the Message-ID (else mailbox, UIDVALIDITY and UID);
 * `threadId` and `dimensions.thread` carry the conversation's root Message-ID, `parentId` the message
 * replied to. Attachments are counted in `dimensions.attachments` and listed (name, type, size) in `raw`.
 */
export function messageToRawItem(source: Buffer, ctx: MessageContext): MappedMessage {
  const warnings: string[] = [];
  const root = parseMessage(source);
  const content = extractContent(root);

  const messageId = messageIds(header(root, 'message-id'))[0];
  const references = messageIds(header(root, 'references'));
  const inReplyTo = messageIds(header(root, 'in-reply-to'))[0] ?? references[references.length - 1];
  const own = messageId ?? `${ctx.mailbox}/${ctx.uidValidity}/${ctx.uid}`;
  const thread = (references[0] ?? inReplyTo ?? own).slice(0, 500);

  const dated = parseDate(header(root, 'date'));
  const publishedAt = dated ?? ctx.internalDate;
  if (!publishedAt) throw new Error('no Date header and no arrival time');
  if (!dated) warnings.push(`message uid ${ctx.uid}: no readable Date header; used the arrival time`);

  const from = parseAddress(header(root, 'from'));
  const subject = header(root, 'subject');
  const title = subject === undefined ? undefined : decodeWords(subject).replace(/\s+/g, ' ').trim();

  let text = trimQuoted(content.text);
  if (text.length > MAX_TEXT_CHARS) {
    warnings.push(`message uid ${ctx.uid}: body cut to ${MAX_TEXT_CHARS} characters (was ${text.length})`);
    text = text.slice(0, MAX_TEXT_CHARS);
  }
  if (ctx.truncated) warnings.push(`message uid ${ctx.uid}: larger than maxMessageBytes; read its beginning only, attachments after that point are not counted`);

  const dimensions: Record<string, string> = { thread };
  if (content.attachments.length > 0) dimensions.attachments = String(content.attachments.length);

  const item: RawItemInput = {
    source: { id: ctx.sourceId, kind: 'imap' },
    channel: ctx.channel,
    initiator: 'customer',
    externalId: own,
    threadId: thread,
    ...(inReplyTo ? { parentId: inReplyTo.slice(0, 500) } : {}),
    ...(from ? { author: { ...(from.address ? { id: from.address } : {}), ...(from.name ? { name: from.name } : {}) } } : {}),
    ...(title ? { title } : {}),
    text,
    publishedAt: publishedAt.toISOString(),
    dimensions,
    raw: {
      mailbox: ctx.mailbox,
      uidValidity: ctx.uidValidity,
      uid: ctx.uid,
      ...(messageId ? { messageId } : {}),
      ...(references.length ? { references } : {}),
      body: content.from,
      attachments: content.attachments satisfies AttachmentNote[],
      ...(ctx.truncated ? { truncated: true } : {}),
    },
  };
  return { item, warnings, automated: isAutomated(root, from?.address) };
}
