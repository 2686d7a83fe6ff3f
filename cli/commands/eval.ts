import type { Command } from 'commander';
import type { Config } from '../../config/schema.ts';
import { ValidationError, type Feedback, type RawItem } from '../../model/index.ts';
import { evaluate, extractExamples, formatReport, loadModel, type Metrics } from '../../pipeline/nlp/classifier/index.ts';
import { PipelineRunner } from '../../pipeline/runner.ts';
import { defaultStages } from '../../pipeline/stages/index.ts';
import { ClassifierBundle } from '../../pipeline/stages/topics.ts';
import {
  aucLine, checkTask, dataOptions, escalationMetrics, formatTopicReport, positiveLevels, readAll, requireOpts, rocAuc, TASKS, topicExamples, topicMetrics,
  type DataOpts, type TopicMetrics, type Writer,
} from './train.ts';

export interface EvalCommandOpts extends DataOpts {
  model?: string;
  positive?: string;
}

export function registerEval(program: Command, config: () => Config): void {
  dataOptions(program.command('eval')
    .description('score a trained model on a labelled CSV/JSONL file: accuracy, macro-F1, per-class precision/recall, confusion matrix (topics: per-topic scores; escalation: also ROC AUC)')
    .requiredOption('--task <task>', TASKS.join(' | ')))
    .option('--model <file>', 'model file (default: models/<task>.json)')
    .action(async (opts: EvalCommandOpts) => {
      await runEval(opts, process.stdout, config);
    });
}

export type EvalResult = Metrics | TopicMetrics | (Metrics & { auc: number | null; stageAuc: number | null });

/**
 * The `allears eval` action, callable without commander. For escalation, `config` (when given)
 * also scores the whole escalation stage — rules plus this model — by AUC.
 */
export async function runEval(opts: EvalCommandOpts, out: Writer = process.stdout, config?: () => Config): Promise<EvalResult> {
  const task = checkTask(opts.task);
  const { data, textCol, labelCol } = requireOpts(opts);
  const modelPath = opts.model ?? `models/${task}.json`;
  const { records } = await readAll(data, opts);
  if (task === 'topics' || task === 'escalation') {
    const bundle = loadBundleFor(task, modelPath);
    if (bundle.task !== task) throw new ValidationError(`${modelPath} is a "${bundle.task}" model, not "${task}"`, [{ path: 'task', message: `the model was trained for ${bundle.task}` }]);
    if (task === 'topics') {
      const { examples, skipped } = topicExamples(records, textCol, labelCol);
      const m = topicMetrics(bundle, examples);
      out.write(`${bundle.version} on ${examples.length} rows of ${data}${skippedNote(skipped)}\n\n${formatTopicReport(m)}\n`);
      return m;
    }
    const { examples, skipped } = extractExamples(records, textCol, labelCol);
    const s = escalationMetrics(bundle, examples, opts.positive);
    let stageAuc: number | null = null;
    let stageLine = '';
    if (config) {
      const positive = positiveLevels(bundle.labels, opts.positive);
      const scores = await stageEscalation(withEscalationModel(config(), modelPath), examples.map((e) => e.text));
      stageAuc = rocAuc(scores.map((e) => e.score), examples.map((e) => positive.has(e.label)));
      stageLine = `ROC AUC of the escalation stage's score (rules + this model): ${stageAuc === null ? 'n/a' : stageAuc.toFixed(3)}\n`;
    }
    out.write(`${bundle.version} on ${examples.length} rows of ${data}${skippedNote(skipped)}\n\n${formatReport(s.metrics)}\n\n${aucLine(s)}${stageLine}`);
    return { ...s.metrics, auc: s.auc, stageAuc };
  }
  const clf = await loadModel(modelPath);
  if (clf.task !== task) throw new ValidationError(`${modelPath} is a "${clf.task}" model, not "${task}"`, [{ path: 'task', message: `the model was trained for ${clf.task}` }]);
  const { examples, skipped } = extractExamples(records, textCol, labelCol);
  const metrics = evaluate(clf, examples);
  out.write(`${clf.card?.version ?? modelPath} on ${examples.length} rows of ${data}${skippedNote(skipped)}\n\n${formatReport(metrics)}\n`);
  return metrics;
}

/** The bundle at `path`; a single-label model file there is named by its task, as for the other tasks. */
function loadBundleFor(task: string, path: string): ClassifierBundle {
  try {
    return ClassifierBundle.load(path);
  } catch (err) {
    const m = /is a "([^"]+)" model, not a /.exec((err as Error).message);
    if (m) throw new ValidationError(`${path} is a "${m[1]}" model, not "${task}"`, [{ path: 'task', message: `the model was trained for ${m[1]}` }]);
    throw err;
  }
}

const skippedNote = (n: number) => (n ? ` (${n} without text or label skipped)` : '');

/** The config with `file` as the escalation model for both languages. */
export function withEscalationModel(config: Config, file: string): Config {
  return { ...config, models: { ...config.models, escalation: { en: file, zh: file } } };
}

/**
 * The escalation the full pipeline gives each text (social posts, no author facts), in input order.
 * Nothing is stored; duplicates are not looked up. `stats.seconds` adds the time spent analysing.
 */
export async function stageEscalation(config: Config, texts: readonly string[], stats: { seconds: number } = { seconds: 0 }, batchSize = 500): Promise<Array<Feedback['analysis']['escalation']>> {
  const runner = new PipelineRunner({ config, stages: defaultStages(config), fingerprints: { match: async () => new Map() } });
  const publishedAt = new Date().toISOString();
  const out: Array<Feedback['analysis']['escalation']> = [];
  for (let start = 0; start < texts.length; start += batchSize) {
    const items: RawItem[] = texts.slice(start, start + batchSize).map((text, k) => ({
      source: { id: 'eval', kind: 'file' }, channel: 'social', initiator: 'customer', externalId: `row-${start + k}`, text, publishedAt,
    }));
    const started = performance.now();
    const analysed = await runner.process(items, publishedAt);
    stats.seconds += (performance.now() - started) / 1000;
    for (const f of analysed) out.push(f.analysis.escalation);
  }
  return out;
}
