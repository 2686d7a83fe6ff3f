import { ValidationError, type ErrorDetail } from '../../model/index.ts';

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/json-lines'];

export interface ParsedBody {
  inputs: unknown[];
  /** Lines of an NDJSON body that were not JSON, reported by index like invalid items. */
  lineErrors: ErrorDetail[];
}

/**
 * Decode and parse an ingest body: a JSON array of items, `{ "items": [...] }`, a single item, or
 * NDJSON (one item per line). Bytes that are not UTF-8 and JSON that does not parse are refused
 * as a whole; in NDJSON a broken line is reported with its index while the other lines go on.
 */
export function parseIngestBody(body: Buffer, contentType: string | undefined): ParsedBody {
  if (!body.length) throw new ValidationError('body: empty; expected a JSON array of items or NDJSON', [{ path: 'body', message: 'empty' }]);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    const at = firstInvalidUtf8(body);
    throw new ValidationError(`body: not valid UTF-8 (first bad byte at offset ${at})`, [{ path: 'body', message: `invalid UTF-8 at byte ${at}` }], 'invalid_utf8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();

  if (NDJSON_TYPES.includes(type)) {
    const inputs: unknown[] = [];
    const lineErrors: ErrorDetail[] = [];
    text.split('\n').forEach((line, n) => {
      if (!line.trim()) return;
      const index = inputs.length;
      try {
        inputs.push(JSON.parse(line));
      } catch (e) {
        inputs.push(undefined);
        lineErrors.push({ index, path: `line ${n + 1}`, message: `malformed JSON (${(e as Error).message})` });
      }
    });
    return { inputs, lineErrors };
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ValidationError(`body: malformed JSON (${(e as Error).message})`, [{ path: 'body', message: (e as Error).message }], 'malformed_json');
  }
  if (Array.isArray(parsed)) return { inputs: parsed, lineErrors: [] };
  if (parsed && typeof parsed === 'object' && Array.isArray((parsed as { items?: unknown }).items)) {
    return { inputs: (parsed as { items: unknown[] }).items, lineErrors: [] };
  }
  if (parsed && typeof parsed === 'object') return { inputs: [parsed], lineErrors: [] };
  throw new ValidationError('body: expected a JSON array of items, an object with "items", or NDJSON', [
    { path: 'body', message: `expected an array or object, got ${parsed === null ? 'null' : typeof parsed}` },
  ]);
}

function firstInvalidUtf8(buf: Buffer): number {
  // Decode growing prefixes cheaply: walk code points by their lead byte.
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > buf.length) return i;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return i;
}
