import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import type { Config } from '../../config/schema.ts';
import type { RawItem } from '../../model/index.ts';
import { createProgress, describeErrors, parseMapping, readRecords, toRawItem, type RecordFormat } from '../files/index.ts';
import { openRuntime, startWorker } from '../runtime.ts';

interface ImportOpts {
  format?: RecordFormat;
  delimiter?: string;
  encoding?: string;
  map: string[];
  set: string[];
  zone?: string;
  dryRun?: boolean;
  enqueueOnly?: boolean;
  maxErrors: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerImport(program: Command, config: () => Config): void {
  program.command('import <file>')
    .description('import feedback from a CSV, TSV, JSONL/NDJSON or JSON file')
    .option('--format <format>', 'csv | tsv | jsonl | ndjson | json (default: from the extension)')
    .option('--delimiter <char>', 'CSV delimiter (default: guessed)')
    .option('--encoding <label>', 'file encoding, e.g. gb18030 (default: utf-8)')
    .option('--map <field=column>', 'take a field from a column, e.g. text=body, author.handle=user, dimensions.store=store_id', collect, [])
    .option('--set <field=value>', 'give a field a fixed value, e.g. channel=review, source.id=reviews-2025', collect, [])
    .option('--zone <offset>', 'time zone for dates written without one, e.g. +08:00', 'Z')
    .option('--dry-run', 'check every line and report problems, import nothing')
    .option('--enqueue-only', 'store the items as jobs for a running worker instead of processing them here')
    .option('--max-errors <n>', 'problems to print in detail', '20')
    .action((file: string, opts: ImportOpts) => runImport(config(), file, opts));
}

async function runImport(config: Config, file: string, opts: ImportOpts): Promise<void> {
  const mapping = parseMapping(opts.map, opts.set);
  const size = (await stat(file)).size;
  const rt = opts.dryRun ? null : await openRuntime(config, undefined);
  const progress = createProgress({ label: opts.dryRun ? 'checking' : 'importing', totalBytes: size });
  const problems: string[] = [];
  let badLines = 0;
  let accepted = 0;
  let pending: RawItem[] = [];
  const flush = async () => {
    if (rt && pending.length) await rt.ingestor.enqueue(pending);
    pending = [];
  };

  for await (const entry of readRecords(file, { format: opts.format, delimiter: opts.delimiter, encoding: opts.encoding, onBytes: (b) => progress.tick(0, b) })) {
    if (entry.error !== undefined) {
      badLines++;
      problems.push(`line ${entry.line}: ${entry.error}`);
      continue;
    }
    const r = toRawItem(entry.record, mapping, { file, line: entry.line, zone: opts.zone });
    if (r.item) {
      accepted++;
      pending.push(r.item);
      if (pending.length >= config.worker.batchSize) await flush();
    } else {
      badLines++;
      problems.push(...describeErrors(entry.line, r.errors ?? []));
    }
    progress.tick(1);
  }
  await flush();
  progress.done(`${accepted.toLocaleString('en-US')} items ${opts.dryRun ? 'valid' : 'accepted'}, ${badLines.toLocaleString('en-US')} lines refused`);
  const max = Number(opts.maxErrors);
  for (const p of problems.slice(0, max)) process.stderr.write(`  ${p}\n`);
  if (problems.length > max) process.stderr.write(`  … and ${problems.length - max} more\n`);

  if (rt) {
    if (!opts.enqueueOnly && accepted > 0) await processHere(rt, accepted);
    await rt.close();
  }
  if (accepted === 0 && badLines > 0) process.exitCode = 1;
}

/** Work the queue in this process until it is empty, showing progress. */
export async function processHere(rt: Awaited<ReturnType<typeof openRuntime>>, total: number): Promise<void> {
  const progress = createProgress({ label: 'processing', total });
  const worker = startWorker(rt);
  let done = 0;
  for (;;) {
    const s = (await rt.queue.stats()).find((q) => q.queue === 'ingest');
    const left = s ? s.waiting + s.active + s.delayed : 0;
    const nowDone = Math.max(done, total - left * rt.config.worker.batchSize);
    progress.tick(nowDone - done);
    done = nowDone;
    if (left === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await worker.close();
  const dead = (await rt.queue.stats()).reduce((n, q) => n + q.dead, 0);
  progress.done(`processed; ${dead} job(s) in dead letters${dead ? ' (see GET /api/queue)' : ''}`);
}
