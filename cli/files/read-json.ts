import type { RecordEntry } from './read-records.ts';

/** A line longer than this is reported and skipped rather than buffered without bound. */
const MAX_LINE_CHARS = 32 * 1024 * 1024;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

function entry(line: number, text: string): RecordEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { line, error: `invalid JSON (${(err as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line, error: `expected a JSON object, got ${kindOf(value)}` };
  }
  return { line, record: value as Record<string, unknown> };
}

/** JSON Lines / NDJSON: one object per line; blank lines are skipped, a broken line is reported and skipped. */
export async function* readJsonLines(chunks: AsyncIterable<string>): AsyncGenerator<RecordEntry> {
  let pending = '';
  let line = 0;
  let overlong = false;
  for await (const chunk of chunks) {
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
      line++;
      const text = pending + chunk.slice(from, nl);
      pending = '';
      from = nl + 1;
      if (overlong) overlong = false;
      else if (text.trim()) yield entry(line, text);
    }
    if (!overlong) pending += chunk.slice(from);
    if (pending.length > MAX_LINE_CHARS) {
      yield { line: line + 1, error: `line longer than ${MAX_LINE_CHARS} characters, skipped` };
      pending = '';
      overlong = true;
    }
  }
  if (!overlong && pending.trim()) yield entry(line + 1, pending);
}

const C = { Newline: 10, Quote: 34, Backslash: 92, Comma: 44, OpenBrace: 123, CloseBrace: 125, OpenBracket: 91, CloseBracket: 93 } as const;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;
}

/**
 * A JSON array of objects (or objects one after another), read element by element: the scanner
 * only tracks nesting and strings to find where each element ends, then JSON.parse reads it.
 * A broken element is reported with the line it starts on and the next one is read.
 */
export async function* readJsonArray(chunks: AsyncIterable<string>): AsyncGenerator<RecordEntry> {
  let line = 1;
  let started = false; // saw the opening "[" (or the first top-level object)
  let inArray = false;
  let ended = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: string[] = [];
  let startLine = 0;

  for await (const chunk of chunks) {
    let from = -1; // start of the current element within this chunk
    if (depth > 0) from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === C.Newline) line++;
      if (depth > 0) {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === C.Backslash) escaped = true;
          else if (c === C.Quote) inString = false;
        } else if (c === C.Quote) inString = true;
        else if (c === C.OpenBrace || c === C.OpenBracket) depth++;
        else if ((c === C.CloseBrace || c === C.CloseBracket) && --depth === 0) {
          parts.push(chunk.slice(from, i + 1));
          yield entry(startLine, parts.join(''));
          parts = [];
          from = -1;
        }
        continue;
      }
      if (isSpace(c) || (inArray && c === C.Comma)) continue;
      if (ended) {
        yield { line, error: 'invalid JSON (unexpected content after the closing "]")' };
        return;
      }
      if (!started && c === C.OpenBracket) {
        started = inArray = true;
      } else if (inArray && c === C.CloseBracket) {
        ended = true;
      } else if (c === C.OpenBrace || c === C.OpenBracket) {
        started = true;
        depth = 1;
        startLine = line;
        from = i;
      } else {
        // A bare value where an object belongs: report it and skip to the next separator.
        const stop = /[,\]\s]/.exec(chunk.slice(i));
        const token = chunk.slice(i, stop ? i + stop.index : undefined);
        yield { line, error: `expected a JSON object, got ${JSON.stringify(token.slice(0, 40))}` };
        i += token.length - 1;
        started = true;
      }
    }
    if (depth > 0) parts.push(chunk.slice(from));
  }
  if (depth > 0) yield { line: startLine, error: 'invalid JSON (the file ends inside this record)' };
  else if (inArray && !ended) yield { line, error: 'invalid JSON (the file ends before the closing "]")' };
}
