import { decodeEntities } from '../pipeline/nlp/html.ts';

const DROPPED = /<(script|style|template|head)\b[^>]*>[\s\S]*?<\/\1\s*>|<!--[\s\S]*?(?:-->|$)/gi;
const LINE_BREAK = /<br\b[^>]*>/gi;
/** Paragraph-like blocks end with a blank line, list items and table rows with a line break. */
const PARAGRAPH_END = /<\/(?:p|h[1-6]|blockquote|pre|ul|ol|table|aside|details)\s*>/gi;
const LINE_END = /<\/(?:div|li|tr|dd|dt|section|article|header|footer|figure|summary)\s*>|<hr\b[^>]*>/gi;
const TAG = /<[a-zA-Z/!][^<>]*>/g;

/**
 * Rendered post HTML (Mastodon `content`, Discourse `cooked`) → plain text that keeps the author's
 * line breaks and paragraphs; links keep their visible text. Entities are decoded.
 */
export function htmlToPlainText(html: string): string {
  if (!html.includes('<') && !html.includes('&')) return html.trim();
  const text = html
    // Source newlines inside HTML are layout, not content: the tags say where lines end.
    .replace(/\s*\n\s*/g, ' ')
    .replace(DROPPED, ' ')
    .replace(LINE_BREAK, '\n')
    .replace(PARAGRAPH_END, '\n\n')
    .replace(LINE_END, '\n')
    .replace(TAG, '');
  return decodeEntities(text)
    .replace(/[ \t\u00a0]+\n/g, '\n')
    .replace(/\n[ \t\u00a0]+/g, '\n')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
