import type { Command } from 'commander';
import type { Config } from '../../config/schema.ts';
import { ValidationError } from '../../model/index.ts';
import { formatReport, saveModel, trainFromRecords, type TrainResult } from '../../pipeline/nlp/classifier/index.ts';
import { readRecords, type RecordFormat } from '../files/index.ts';

/** The classification tasks a model can be trained for; the stage that will load it depends on this. */
export const TASKS = ['sentiment', 'complaint', 'topics', 'escalation'] as const;
export type Task = (typeof TASKS)[number];

/** Options shared by `allears train` and `allears eval`. */
export interface DataOpts {
  task: string;
  data?: string;
  textCol?: string;
  labelCol?: string;
  format?: RecordFormat;
  delimiter?: string;
  encoding?: string;
  /** commander's --no-header sets this to false. */
  header?: boolean;
}

export function checkTask(task: string | undefined): Task {
  if (!TASKS.includes(task as Task)) throw new ValidationError(`unknown task "${task ?? ''}"`, [{ path: 'task', message: `use one of ${TASKS.join(', ')}` }]);
  return task as Task;
}

/** Every missing option reported at once. */
export function requireOpts(opts: DataOpts): { data: string; textCol: string; labelCol: string } {
  const missing = (['data', 'textCol', 'labelCol'] as const).filter((k) => !opts[k]);
  if (missing.length) {
    throw new ValidationError(`missing ${missing.map(flagName).join(', ')}`, missing.map((k) => ({ path: k, message: `give ${flagName(k)}` })));
  }
  return { data: opts.data!, textCol: opts.textCol!, labelCol: opts.labelCol! };
}

const flagName = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** All readable records of the file; unreadable lines are counted, as `allears import` does. */
export async function readAll(file: string, opts: DataOpts): Promise<{ records: Record<string, unknown>[]; badLines: number }> {
  const records: Record<string, unknown>[] = [];
  let badLines = 0;
  for await (const e of readRecords(file, { format: opts.format, delimiter: opts.delimiter, encoding: opts.encoding, header: opts.header })) {
    if (e.record) records.push(e.record);
    else badLines++;
  }
  return { records, badLines };
}

export interface TrainCommandOpts extends DataOpts {
  out?: string;
  seed?: string;
  epochs?: string;
  balanced?: boolean;
  licence?: string;
}

/** What runTrain writes to: standard output by default, a buffer in tests. */
export interface Writer {
  write(chunk: string): unknown;
}

/** The labelled-file options train and eval share. */
export function dataOptions(cmd: Command): Command {
  return cmd
    .option('--data <file>', 'labelled data: CSV, TSV, JSONL or JSON')
    .option('--text-col <column>', 'column with the text')
    .option('--label-col <column>', 'column with the label')
    .option('--format <format>', 'csv | tsv | jsonl | ndjson | json (default: from the extension)')
    .option('--delimiter <char>', 'CSV delimiter (default: guessed)')
    .option('--encoding <label>', 'file encoding, e.g. gb18030 (default: utf-8)')
    .option('--no-header', 'the CSV has no header row; name columns 1, 2, 3…');
}

export function registerTrain(program: Command, _config: () => Config): void {
  dataOptions(program.command('train')
    .description('train a text classifier from a labelled CSV/JSONL file, print its scores on a held-out 20%, write the model')
    .requiredOption('--task <task>', TASKS.join(' | ')))
    .option('--out <file>', 'model file to write (default: models/<task>.json)')
    .option('--seed <n>', 'seed of the split and of training', '42')
    .option('--epochs <n>', 'passes over the training data')
    .option('--balanced', 'weigh classes inversely to their size')
    .option('--licence <text>', "the data's licence, for the model card")
    .action(async (opts: TrainCommandOpts) => {
      await runTrain(opts);
    });
}

function positiveInt(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ValidationError(`--${field} must be a whole number`, [{ path: field, message: `"${value}" is not a whole number ≥ 0` }]);
  return n;
}

/** The `allears train` action, callable without commander. */
export async function runTrain(opts: TrainCommandOpts, out: Writer = process.stdout): Promise<TrainResult & { modelPath: string }> {
  const task = checkTask(opts.task);
  const { data, textCol, labelCol } = requireOpts(opts);
  const seed = positiveInt(opts.seed, 'seed') ?? 42;
  const epochs = positiveInt(opts.epochs, 'epochs');
  const modelPath = opts.out ?? `models/${task}.json`;
  const { records, badLines } = await readAll(data, opts);
  const result = trainFromRecords(records, {
    task, textCol, labelCol, splitSeed: seed, balanced: opts.balanced,
    logreg: { seed, ...(epochs !== undefined ? { epochs } : {}) },
    data: { file: data, ...(opts.licence ? { licence: opts.licence } : {}) },
  });
  await saveModel(result.classifier, modelPath);
  out.write(`trained "${task}" on ${result.trainRows} rows in ${(result.trainMs / 1000).toFixed(1)} s; held out ${result.testRows}`
    + `${result.skipped ? `; ${result.skipped} rows without text or label skipped` : ''}${badLines ? `; ${badLines} unreadable lines` : ''}\n\n`);
  out.write(`${formatReport(result.metrics)}\n\nmodel written to ${modelPath} (${result.classifier.card!.version})\n`);
  return { ...result, modelPath };
}
