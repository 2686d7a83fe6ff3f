import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse, type Options } from 'csv-parse';
import { CsvLineTracker } from './csv-lines.ts';
import type { RecordEntry } from './read-records.ts';

export interface CsvOptions {
  delimiter?: string;
  header: boolean;
}

const CANDIDATES = [',', ';', '\t', '|'];

/** The delimiter that splits the first line into the most fields, quotes respected. */
export function sniffDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of CANDIDATES) {
    let count = 0;
    let quoted = false;
    for (const ch of firstLine) {
      if (ch === '"') quoted = !quoted;
      else if (ch === d && !quoted) count++;
    }
    if (count > bestCount) [best, bestCount] = [d, count];
  }
  return best;
}

/** Column names from the header row: blanks get a position name, repeats a suffix, so no value is lost. */
function columnNames(header: string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((raw, i) => {
    const name = raw.trim() || `column${i + 1}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}_${n}`;
  });
}

/** csv-parse says "… on line 5"; we put the line in front instead. */
function describe(err: CsvError): string {
  return `invalid CSV (${err.message.replace(/\s+(?:on|at) line \d+\b/, '')})`;
}

export async function* readCsv(chunks: AsyncIterable<string>, opts: CsvOptions): AsyncGenerator<RecordEntry> {
  const it = chunks[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value.replace(/^\uFEFF/, '');
  const delimiter = opts.delimiter ?? sniffDelimiter(head.slice(0, head.search(/\r?\n|$/)));
  const lines = new CsvLineTracker(delimiter);
  // Feed the tracker before csv-parse sees a chunk, so the start line of every record is known when it comes out.
  async function* all(): AsyncGenerator<string> {
    lines.feed(head);
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      lines.feed(r.value);
      yield r.value;
    }
  }

  const skipped: RecordEntry[] = [];
  type Out = { line: number; record: Record<string, unknown> };
  const options: Options<Out, string[] | Record<string, string>> = {
    delimiter,
    bom: true,
    record_delimiter: ['\r\n', '\n'],
    columns: opts.header ? (header: Out) => columnNames(header as unknown as string[]) : false,
    relax_column_count: !opts.header,
    skip_empty_lines: true,
    // A broken record is reported and skipped; the rest of the file is still read.
    skip_records_with_error: true,
    // Stray quotes inside a field (5" screen) are kept as text, as spreadsheets write them.
    relax_quotes: true,
    on_skip: (err: CsvError | undefined) => {
      if (err) skipped.push({ line: lines.lineAt(Number(err.bytes)), error: describe(err) });
    },
  };
  // csv-parse's overloads cannot express "columns or not" in one call; the options are checked above.
  const parser = parse(options as unknown as Options);
  // Tag each record with its line as it is pushed, while parser.info.bytes still marks its end.
  // (on_record would do the same but builds a full info object per record: a third of parse time.)
  const push = parser.push.bind(parser);
  parser.push = (record: unknown) => push(record === null ? null : { line: lines.lineAt(parser.info.bytes), record: toRecord(record) });
  const feeding = pipeline(Readable.from(all()), parser).catch((err: unknown) => parser.destroy(err as Error));

  for await (const out of parser as AsyncIterable<Out>) {
    while (skipped.length && skipped[0]!.line < out.line) yield skipped.shift()!;
    yield out;
  }
  await feeding;
  yield* skipped;
}

function toRecord(record: unknown): Record<string, unknown> {
  if (!Array.isArray(record)) return record as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  record.forEach((v, i) => (out[String(i + 1)] = v));
  return out;
}
