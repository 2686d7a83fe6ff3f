import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Config } from '../../config/schema.ts';
import { createLogger } from '../../config/logger.ts';
import { RawItem, ValidationError, formatPath, type Feedback } from '../../model/index.ts';
import { PipelineRunner } from '../../pipeline/runner.ts';
import { defaultStages } from '../../pipeline/stages/index.ts';
import { createProgress, readRecords, type RecordFormat } from '../files/index.ts';

interface ClassifyOpts {
  model: string[];
  in?: string;
  out?: string;
  textCol?: string;
  titleCol?: string;
  channel: string;
  format?: RecordFormat;
  batch: string;
}

/** Columns tried, in order, when --text-col is not given. */
const TEXT_COLUMNS = ['text', 'content', 'body', 'comment', 'review', 'message', 'narrative'];

export function registerClassify(program: Command, config: () => Config): void {
  program.command('classify [file]')
    .description('write the full analysis of each line of a CSV/JSONL file as JSONL, in input order (stores nothing)')
    .option('--in <file>', 'input file (or give it as the argument)')
    .option('--out <file>', 'output JSONL (default: standard output)')
    .option('--text-col <column>', `column with the text (default: the first of ${TEXT_COLUMNS.join(', ')})`)
    .option('--title-col <column>', 'column with a title')
    .option('--channel <channel>', 'channel to assume for every line', 'social')
    .option('--format <format>', 'csv | tsv | jsonl | ndjson | json (default: from the extension)')
    .option('--batch <n>', 'lines analysed together', '1000')
    .option('--model <task=file>', 'use a trained model: TASK=FILE (both languages) or TASK.en=FILE; TASK: sentiment, complaint, topics, escalation', (v: string, prev: string[]) => [...prev, v], [])
    .action((file: string | undefined, opts: ClassifyOpts) => classify(withModels(config(), opts.model), file ?? opts.in, opts));
}

/** `--model sentiment=FILE` (every language) or `--model sentiment.zh=FILE` over the config's models. */
function withModels(config: Config, specs: readonly string[]): Config {
  const m = config.models;
  const models = { sentiment: { ...m.sentiment }, complaint: { ...m.complaint }, topics: { ...m.topics }, escalation: { ...m.escalation } };
  const problems: { path: string; message: string }[] = [];
  for (const spec of specs) {
    const r = /^(sentiment|complaint|topics|escalation)(?:\.(en|zh))?=(.+)$/.exec(spec);
    if (!r) {
      problems.push({ path: '--model', message: `"${spec}": expected TASK=FILE or TASK.LANG=FILE, TASK one of sentiment, complaint, topics, escalation` });
      continue;
    }
    const task = r[1] as keyof typeof models;
    for (const lang of r[2] ? [r[2] as 'en' | 'zh'] : (['en', 'zh'] as const)) models[task][lang] = r[3]!;
  }
  if (problems.length) throw new ValidationError(problems.map((p) => p.message).join('; '), problems);
  return { ...config, models };
}

type Row = { line: number; item: RawItem } | { line: number; error: string };

async function classify(config: Config, file: string | undefined, opts: ClassifyOpts): Promise<void> {
  if (!file) throw new ValidationError('classify: name the input file (allears classify FILE or --in FILE)', [{ path: 'in', message: 'missing' }]);
  // No index: duplicates are found within each batch only.
  const runner = new PipelineRunner({ config, stages: defaultStages(config), fingerprints: { match: async () => new Map() }, log: createLogger('warn') });
  const out = opts.out ? createWriteStream(opts.out) : process.stdout;
  const progress = createProgress({ label: 'classifying' });
  const publishedAt = new Date().toISOString();
  const batchSize = Math.max(1, Number(opts.batch) || 1000);
  let rows: Row[] = [];

  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  const flush = async () => {
    const good = rows.filter((r): r is { line: number; item: RawItem } => 'item' in r);
    const analysed = await runner.process(good.map((r) => r.item), publishedAt);
    const byLine = new Map(good.map((r, i) => [r.line, analysed[i]!] as const));
    const lineOf = new Map(good.map((r, i) => [analysed[i]!.id, r.line] as const));
    let chunk = '';
    for (const r of rows) {
      const f = byLine.get(r.line);
      chunk += JSON.stringify(f ? summary(r.line, f, lineOf) : { line: r.line, error: (r as { error: string }).error }) + '\n';
    }
    await write(chunk);
    progress.tick(rows.length);
    rows = [];
  };

  for await (const entry of readRecords(file, { format: opts.format })) {
    if (entry.error !== undefined) rows.push({ line: entry.line, error: entry.error });
    else rows.push(toItem(entry.line, entry.record, opts, publishedAt));
    if (rows.length >= batchSize) await flush();
  }
  if (rows.length) await flush();
  progress.done();
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
}

function toItem(line: number, record: Record<string, unknown>, opts: ClassifyOpts, publishedAt: string): Row {
  const col = opts.textCol ?? TEXT_COLUMNS.find((c) => c in record);
  if (!col || !(col in record)) return { line, error: `text: no column ${opts.textCol ? `"${opts.textCol}"` : `named ${TEXT_COLUMNS.join(', ')}`} in this line` };
  const parsed = RawItem.safeParse({
    source: { id: 'classify', kind: 'file' },
    channel: opts.channel,
    externalId: `line-${line}`,
    text: String(record[col] ?? ''),
    ...(opts.titleCol && record[opts.titleCol] != null ? { title: String(record[opts.titleCol]) } : {}),
    publishedAt,
  });
  if (parsed.success) return { line, item: parsed.data };
  return { line, error: parsed.error.issues.map((i) => `${formatPath('', i.path)}: ${i.message}`).join('; ') };
}

/** The analysis of one line; a duplicate points at the line it repeats. */
function summary(line: number, f: Feedback, lineOf: ReadonlyMap<string, number>) {
  const a = f.analysis;
  return {
    line, lang: f.lang, sentiment: a.sentiment, complaint: a.complaint, topics: a.topics, touchpoint: a.touchpoint,
    escalation: a.escalation, pii: a.pii, duplicateOfLine: a.duplicateOf ? (lineOf.get(a.duplicateOf) ?? null) : null, models: a.models,
  };
}
