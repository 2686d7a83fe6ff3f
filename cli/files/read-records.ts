import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { TextDecoder } from 'node:util';
import { ValidationError } from '../../model/index.ts';
import { readCsv } from './read-csv.ts';
import { readJsonArray, readJsonLines } from './read-json.ts';

export type RecordFormat = 'csv' | 'tsv' | 'jsonl' | 'ndjson' | 'json';

/**
 * One record of the file, or why the record at `line` could not be read. A bad record never stops
 * the file: the caller reports it ("line 17: invalid JSON (…)") and goes on.
 */
export type RecordEntry =
  | { line: number; record: Record<string, unknown>; error?: undefined }
  | { line: number; error: string; record?: undefined };

export interface ReadRecordsOptions {
  /** Default: from the file extension (.csv .tsv .jsonl .ndjson .json). */
  format?: RecordFormat;
  /** CSV field delimiter. Default: "\t" for .tsv, otherwise guessed from the first line (, ; tab |). */
  delimiter?: string;
  /** CSV: the first row names the columns (default true). Without a header the columns are named "1", "2", … */
  header?: boolean;
  /** Any WHATWG encoding label: utf-8 (default), gbk, gb18030, big5, utf-16le, windows-1252… */
  encoding?: string;
  /** Called as the file is read, for progress: bytes read so far and the file size. */
  onBytes?: (bytesRead: number, totalBytes: number) => void;
}

const BY_EXTENSION: Record<string, RecordFormat> = { '.csv': 'csv', '.tsv': 'tsv', '.jsonl': 'jsonl', '.ndjson': 'ndjson', '.json': 'json' };

export function formatFromPath(path: string): RecordFormat | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()];
}

/**
 * Stream the records of a CSV, TSV, JSON Lines or JSON-array file, one at a time, so a 1 GB
 * export never sits in memory. Record-level problems are yielded as `{ line, error }`;
 * only a file that cannot be read at all throws.
 */
export async function* readRecords(path: string, opts: ReadRecordsOptions = {}): AsyncGenerator<RecordEntry> {
  const format = opts.format ?? formatFromPath(path);
  if (!format) {
    throw new ValidationError(`cannot tell the format of ${path} from its extension`, [
      { path: 'format', message: 'use --format csv|tsv|jsonl|json' },
    ]);
  }
  const chunks = decode(path, opts.encoding ?? 'utf-8', opts.onBytes, (await stat(path)).size);
  switch (format) {
    case 'csv':
    case 'tsv':
      yield* readCsv(chunks, { delimiter: opts.delimiter ?? (format === 'tsv' ? '\t' : undefined), header: opts.header ?? true });
      return;
    case 'json':
      yield* readJsonArray(chunks);
      return;
    default:
      yield* readJsonLines(chunks);
  }
}

/** The file as text chunks. TextDecoder drops a UTF-8/UTF-16 byte-order mark and copes with GBK exports. */
async function* decode(path: string, encoding: string, onBytes: ReadRecordsOptions['onBytes'], size: number): AsyncGenerator<string> {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding);
  } catch {
    throw new ValidationError(`unknown encoding "${encoding}"`, [{ path: 'encoding', message: 'use a label such as utf-8, gbk, gb18030, big5, utf-16le' }]);
  }
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    read += chunk.length;
    onBytes?.(read, size);
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}
