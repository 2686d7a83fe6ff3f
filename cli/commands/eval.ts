import type { Command } from 'commander';
import type { Config } from '../../config/schema.ts';
import { ValidationError } from '../../model/index.ts';
import { evaluate, extractExamples, formatReport, loadModel, type Metrics } from '../../pipeline/nlp/classifier/index.ts';
import { checkTask, dataOptions, readAll, requireOpts, TASKS, type DataOpts, type Writer } from './train.ts';

export interface EvalCommandOpts extends DataOpts {
  model?: string;
}

export function registerEval(program: Command, _config: () => Config): void {
  dataOptions(program.command('eval')
    .description('score a trained model on a labelled CSV/JSONL file: accuracy, macro-F1, per-class precision/recall, confusion matrix')
    .requiredOption('--task <task>', TASKS.join(' | ')))
    .option('--model <file>', 'model file (default: models/<task>.json)')
    .action(async (opts: EvalCommandOpts) => {
      await runEval(opts);
    });
}

/** The `allears eval` action, callable without commander. */
export async function runEval(opts: EvalCommandOpts, out: Writer = process.stdout): Promise<Metrics> {
  const task = checkTask(opts.task);
  const { data, textCol, labelCol } = requireOpts(opts);
  const modelPath = opts.model ?? `models/${task}.json`;
  const clf = await loadModel(modelPath);
  if (clf.task !== task) throw new ValidationError(`${modelPath} is a "${clf.task}" model, not "${task}"`, [{ path: 'task', message: `the model was trained for ${clf.task}` }]);
  const { records } = await readAll(data, opts);
  const { examples, skipped } = extractExamples(records, textCol, labelCol);
  const metrics = evaluate(clf, examples);
  out.write(`${clf.card?.version ?? modelPath} on ${examples.length} rows of ${data}${skipped ? ` (${skipped} without text or label skipped)` : ''}\n\n${formatReport(metrics)}\n`);
  return metrics;
}
