import { htmlToText } from '../../pipeline/nlp/html.ts';
import { decodeBody, decodeWords, partText, type MimePart } from './mime.ts';

/** What an attachment looked like; its content is never kept. */
export interface AttachmentNote {
  name?: string;
  type: string;
  /** Decoded size in bytes. */
  size: number;
}

export interface MessageContent {
  /** The body as plain text, quoted replies not yet removed. */
  text: string;
  /** Where the text came from: "plain", "html" or "none". */
  from: 'plain' | 'html' | 'none';
  attachments: AttachmentNote[];
}

function fileName(part: MimePart): string | undefined {
  const name = part.dispositionParams.filename ?? part.params.name;
  return name ? decodeWords(name) : undefined;
}

/** A part that carries a file rather than the message's words. */
function isAttachment(part: MimePart): boolean {
  if (part.disposition === 'attachment') return true;
  if (part.type === 'text/plain' || part.type === 'text/html') return fileName(part) !== undefined && part.disposition !== 'inline';
  return true;
}

/**
 * The message's own words: in multipart/alternative the text/plain version is preferred, else the
 * HTML one converted to text; in mixed and related multiparts every inline text part is kept in order.
 * Everything else is an attachment, noted by name, type and size.
 */
export function extractContent(root: MimePart): MessageContent {
  const attachments: AttachmentNote[] = [];
  const texts: Array<{ text: string; html: boolean }> = [];

  const visit = (part: MimePart): void => {
    if (part.type === 'multipart/alternative') {
      const plain = part.children.find((c) => c.type === 'text/plain' && !isAttachment(c));
      const html = part.children.find((c) => c.type === 'text/html' && !isAttachment(c));
      const nested = part.children.find((c) => c.type.startsWith('multipart/'));
      const chosen = plain ?? html ?? nested;
      for (const child of part.children) {
        if (child === chosen) visit(child);
        else if (child.type.startsWith('multipart/')) collectAttachments(child);
      }
      return;
    }
    if (part.type.startsWith('multipart/')) {
      part.children.forEach(visit);
      return;
    }
    if (isAttachment(part)) {
      attachments.push(note(part));
      return;
    }
    if (part.type === 'text/html') texts.push({ text: htmlMailToText(partText(part)), html: true });
    else if (part.params.format?.toLowerCase() === 'flowed') texts.push({ text: unflow(partText(part), part.params.delsp?.toLowerCase() === 'yes'), html: false });
    else texts.push({ text: partText(part), html: false });
  };

  // Alternatives not chosen may still carry files (an HTML version with inline images): note them too.
  const collectAttachments = (part: MimePart): void => {
    if (part.type.startsWith('multipart/')) part.children.forEach(collectAttachments);
    else if (isAttachment(part)) attachments.push(note(part));
  };

  visit(root);
  const text = texts.map((t) => t.text.trim()).filter(Boolean).join('\n\n');
  const from = texts.length === 0 ? 'none' : texts.some((t) => !t.html) ? 'plain' : 'html';
  return { text: text.replace(/\r\n?/g, '\n'), from, attachments };
}

function note(part: MimePart): AttachmentNote {
  const name = fileName(part);
  return { ...(name ? { name } : {}), type: part.type, size: decodeBody(part).length };
}

/**
 * HTML mail to text that keeps line breaks (quote trimming works on lines) and drops quoted
 * replies that mail clients wrap in <blockquote>.
 */
export function htmlMailToText(html: string): string {
  let s = html.replace(/<(script|style|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<!--[\s\S]*?-->/g, ' ');
  // Innermost blockquotes first, so nested ones come out whole.
  for (let i = 0; i < 20; i++) {
    const next = s.replace(/<blockquote\b[^>]*>(?:(?!<blockquote\b)[\s\S])*?<\/blockquote\s*>/gi, '\n');
    if (next === s) break;
    s = next;
  }
  s = s.replace(/\s+/g, ' ');
  // Each <br> is a line break; a run of block tags (</div><div>) is one.
  s = s.replace(/<br\b[^>]*>/gi, '\u0001');
  s = s.replace(/(?:\s*<\/?(?:p|div|li|ul|ol|tr|table|h[1-6]|hr|section|article|header|footer)\b[^>]*>\s*)+/gi, '\n');
  s = s.replace(/\u0001/g, '\n');
  const text = htmlToText(s);
  return text.split('\n').map((l) => l.trim()).join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** Attribution lines that introduce a quoted message. */
const ATTRIBUTION = [
  /^On\b[\s\S]{0,400}\bwrote:$/i,
  /^在[\s\S]{0,400}写道[:：]$/,
  /^[\s\S]{0,300}于[\s\S]{0,200}写道[:：]$/,
  /^Le\b[\s\S]{0,400}a écrit\s*:$/i,
  /^Am\b[\s\S]{0,400}schrieb[\s\S]{0,200}:$/i,
];

/** Lines after which everything is the previous message (Outlook, Foxmail, QQ Mail). */
const ORIGINAL = /^-{2,}\s*(?:Original Message|原始邮件|原始郵件)\s*-{2,}$/i;
const OUTLOOK_FROM = /^(?:From|发件人|寄件者)\s*[:：]/i;
const OUTLOOK_NEXT = /^(?:Sent|Date|To|Subject|发送时间|日期|时间|收件人|主题)\s*[:：]/i;

/**
 * Drop what a reply repeats: lines starting with ">", attribution lines ("On … wrote:", "在…写道："),
 * and everything after an "Original Message" separator or an Outlook-style header block; also the
 * signature after a "-- " line.
 */
export function trimQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    if (ORIGINAL.test(t)) break;
    if (OUTLOOK_FROM.test(t) && lines.slice(i + 1, i + 5).some((l) => OUTLOOK_NEXT.test(l.trim()))) break;
    if (line === '-- ' || line === '--') break;
    if (/^\s*>/.test(line)) continue;
    // Clients wrap long attribution lines: try this line alone, then joined with the next one.
    if (t.length <= 500 && ATTRIBUTION.some((re) => re.test(t))) continue;
    const next = lines[i + 1]?.trim();
    if (next !== undefined && t.length + next.length <= 500 && ATTRIBUTION.some((re) => re.test(`${t} ${next}`))) {
      i++;
      continue;
    }
    kept.push(line.replace(/\s+$/, ''));
  }
  return kept.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** RFC 3676 format=flowed: a line ending in a space continues on the next line of the same quote depth. */
export function unflow(text: string, delsp: boolean): string {
  const out: string[] = [];
  let open: { depth: number; text: string } | null = null;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const depth = /^>*/.exec(raw)![0].length;
    let line = raw.slice(depth);
    if (line.startsWith(' ')) line = line.slice(1);
    const prefix = '>'.repeat(depth) + (depth > 0 ? ' ' : '');
    const flowed = line.endsWith(' ') && line !== '-- ';
    const piece = flowed && delsp ? line.slice(0, -1) : line;
    if (open && open.depth === depth) open.text += piece;
    else {
      if (open) out.push(open.text);
      open = { depth, text: prefix + piece };
    }
    if (!flowed) {
      out.push(open.text);
      open = null;
    }
  }
  if (open) out.push(open.text);
  return out.join('\n');
}
