import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Config } from '../../config/schema.ts';
import { createLogger, type Logger } from '../../config/logger.ts';
import { MAX_TEXT_CHARS, RawItem, ValidationError, formatPath, type Channel } from '../../model/index.ts';
import { PipelineRunner } from '../../pipeline/runner.ts';
import { defaultStages } from '../../pipeline/stages/index.ts';
import { createProgress, readRecords, type RecordEntry, type RecordFormat } from '../files/index.ts';

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
  const batches = new ClassifyBatches(config, { ...opts, publishedAt: new Date().toISOString(), log: createLogger('warn') });
  const out = opts.out ? createWriteStream(opts.out) : process.stdout;
  const progress = createProgress({ label: 'classifying' });
  const batchSize = Math.max(1, Number(opts.batch) || 1000);

  const flush = async () => {
    const n = batches.size;
    // One write per batch: the whole batch's JSONL in one string.
    if (!out.write(await batches.flush())) await once(out, 'drain');
    progress.tick(n);
  };
  for await (const entry of readRecords(file, { format: opts.format })) {
    batches.add(entry);
    if (batches.size >= batchSize) await flush();
  }
  if (batches.size) await flush();
  progress.done();
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
}

export interface ClassifyBatchOptions {
  /** Channel assumed for every line. */
  channel: string;
  /** Column with the text; default the first of TEXT_COLUMNS the record has. */
  textCol?: string;
  titleCol?: string;
  /** The publication time given to every line (they have none of their own). */
  publishedAt: string;
  log?: Logger;
}

/**
 * What `allears classify` does with the records of its input, a batch at a time: validate each as a
 * RawItem, run every pipeline stage, and write one JSON line per record (its analysis or why it was
 * refused), in input order. Duplicates are found within each batch only: there is no index.
 * Exported so the benchmark measures exactly this.
 */
export class ClassifyBatches {
  private readonly runner: PipelineRunner;
  private rows: Row[] = [];
  /** A valid line differs from the first only in its id and text: such lines skip the schema (see `toItem`). */
  private readonly fast: boolean;
  private readonly source = { id: 'classify', kind: 'file' };
  private modelsKeys: string[] = [];
  private modelsValues: string[] = [];
  private modelsJson = '';

  constructor(config: Config, private readonly opts: ClassifyBatchOptions) {
    this.runner = new PipelineRunner({ config, stages: defaultStages(config), fingerprints: { match: async () => new Map() }, ...(opts.log ? { log: opts.log } : {}) });
    this.fast = RawItem.safeParse({ source: this.source, channel: opts.channel, externalId: 'line-1', text: 'x', publishedAt: opts.publishedAt }).success;
  }

  get size(): number {
    return this.rows.length;
  }

  add(entry: RecordEntry): void {
    if (entry.error !== undefined) this.rows.push({ line: entry.line, error: entry.error });
    else this.rows.push(this.toItem(entry.line, entry.record));
  }

  /** Analyse the lines added since the last flush; their JSON lines, each ending in a line break. */
  async flush(): Promise<string> {
    const rows = this.rows;
    this.rows = [];
    const items: RawItem[] = [];
    for (const r of rows) if ('item' in r) items.push(r.item);
    const analysed = await this.runner.analyse(items, this.opts.publishedAt);
    // A duplicate names the id of an earlier line of the batch; ids are mapped to lines only when there is one.
    let lineOf: Map<string, number> | undefined;
    const lineOfId = (id: string): number | null => {
      if (lineOf === undefined) {
        lineOf = new Map();
        let k = 0;
        for (const r of rows) if ('item' in r) lineOf.set(analysed[k++]!.id, r.line);
      }
      return lineOf.get(id) ?? null;
    };
    let chunk = '';
    let k = 0;
    for (const r of rows) {
      if (!('item' in r)) {
        chunk += JSON.stringify({ line: r.line, error: r.error }) + '\n';
        continue;
      }
      const f = analysed[k++]!;
      const a = f.analysis;
      // JSON.stringify of the whole summary, with the models part (the same on almost every line) reused.
      chunk += JSON.stringify({
        line: r.line, lang: f.lang, sentiment: a.sentiment, complaint: a.complaint, topics: a.topics, touchpoint: a.touchpoint,
        escalation: a.escalation, pii: a.pii, duplicateOfLine: a.duplicateOf ? lineOfId(a.duplicateOf) : null,
      }).slice(0, -1) + ',"models":' + this.modelsJsonOf(a.models) + '}\n';
    }
    return chunk;
  }

  /** JSON.stringify(models), reused while the models and versions stay the same. */
  private modelsJsonOf(models: Record<string, string>): string {
    const keys = this.modelsKeys;
    const values = this.modelsValues;
    let n = 0;
    let same = true;
    for (const key in models) {
      if (n >= keys.length || keys[n] !== key || values[n] !== models[key]) {
        same = false;
        break;
      }
      n++;
    }
    if (same && n === keys.length && n > 0) return this.modelsJson;
    this.modelsKeys = Object.keys(models);
    this.modelsValues = this.modelsKeys.map((key) => models[key]!);
    this.modelsJson = JSON.stringify(models);
    return this.modelsJson;
  }

  private toItem(line: number, record: Record<string, unknown>): Row {
    const { opts } = this;
    const col = opts.textCol ?? TEXT_COLUMNS.find((c) => c in record);
    if (!col || !(col in record)) return { line, error: `text: no column ${opts.textCol ? `"${opts.textCol}"` : `named ${TEXT_COLUMNS.join(', ')}`} in this line` };
    const text = String(record[col] ?? '');
    const title = opts.titleCol && record[opts.titleCol] != null ? String(record[opts.titleCol]) : undefined;
    // The common case: no title, a text of allowed length that says something. Source, channel and
    // publication time are the same on every line and passed the schema once; the id is "line-N".
    // The item is what the schema would return, keys in its order. Anything else goes through the schema.
    if (this.fast && title === undefined && text.length <= MAX_TEXT_CHARS && text.trim().length > 0) {
      return { line, item: { source: this.source, channel: opts.channel as Channel, initiator: 'customer', externalId: `line-${line}`, text, publishedAt: opts.publishedAt } };
    }
    const parsed = RawItem.safeParse({
      source: { id: 'classify', kind: 'file' },
      channel: opts.channel,
      externalId: `line-${line}`,
      text,
      ...(title !== undefined ? { title } : {}),
      publishedAt: opts.publishedAt,
    });
    if (parsed.success) return { line, item: parsed.data };
    return { line, error: parsed.error.issues.map((i) => `${formatPath('', i.path)}: ${i.message}`).join('; ') };
  }
}
