import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Config, ModelsConfig } from '../../config/schema.ts';
import { ConfigError, ValidationError, zodDetails, type Lang, type TopicHit } from '../../model/index.ts';
import {
  fromModelFile, ModelCardSchema, toModelFile, trainClassifier, type ModelCard, type SparseVector, type TextClassifier, type TrainOptions,
} from '../nlp/classifier/index.ts';
import type { EnTokens } from '../nlp/en-tokenizer.ts';
import type { Stage } from '../stage.ts';
import { BatchText, setVersions } from './common.ts';
import { configCounts, configKeywords } from './keywords.ts';

export const TOPICS_VERSION = 'keywords-1';

/** What the topics stage needs from a trained multi-label classifier used beside the keyword rules. */
export interface TopicModel {
  readonly version: string;
  /** `tokens`: tokenizeEn(text), when the caller already has them. */
  predict(text: string, lang: Lang, tokens?: EnTokens): TopicHit[];
}

/** 1 keyword → 0.5, 2 → 0.75, 3 → 0.875: more distinct evidence, more certainty, never 1. */
export function keywordScore(distinctHits: number): number {
  return Math.round((1 - 0.5 ** distinctHits) * 1000) / 1000;
}

/** Multi-label topics of item i from the taxonomy's keyword rules, highest score first (config order on ties). */
export function keywordTopics(texts: BatchText, i: number, config: Config): TopicHit[] {
  const { topicIds } = configKeywords(config);
  const counts = configCounts(texts, i, config);
  const out: TopicHit[] = [];
  for (let g = 0; g < topicIds.length; g++) if (counts[g]! > 0) out.push({ id: topicIds[g]!, score: keywordScore(counts[g]!) });
  // Stable sort keeps config order among equal scores.
  return out.sort((a, b) => b.score - a.score);
}

/** Union of two topic lists; a topic in both keeps the higher score. Highest first, `a`'s order on ties. */
export function mergeTopics(a: readonly TopicHit[], b: readonly TopicHit[]): TopicHit[] {
  const best = new Map<string, number>();
  for (const t of [...a, ...b]) best.set(t.id, Math.max(best.get(t.id) ?? 0, t.score));
  return [...best].map(([id, score]) => ({ id, score })).sort((x, y) => y.score - x.score);
}

/**
 * Topics for each item: the taxonomy's keyword rules, plus `model`'s topics when one is given (a
 * topic both find keeps the higher score). Both versions are recorded.
 */
export function topicsStage(model?: TopicModel): Stage {
  const versions: Record<string, string> = model ? { topics: model.version, topicKeywords: TOPICS_VERSION } : { topics: TOPICS_VERSION };
  return {
    name: 'topics',
    run(batch, { config }) {
      const texts = BatchText.of(batch);
      batch.forEach((d, i) => {
        const rules = keywordTopics(texts, i, config);
        const topics = model ? mergeTopics(rules, model.predict(texts.text(i), d.lang ?? 'other', texts.tokens(i))) : rules;
        d.analysis.topics = topics;
        setVersions(d, versions);
      });
      return batch;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Several binary classifiers in one model file: one-vs-rest topics, and the gated ordinal
// escalation model (escalation.ts). Each part is an ordinary allears-textclf-1 model trained on
// "1"/"0" labels, so everything the classifier toolkit does with one model holds for each part.

export const BUNDLE_FORMAT = 'allears-multiclf-1';
/** The format of a bundle with more than one view: a reader that knows only BUNDLE_FORMAT refuses it rather than read half of it. */
export const BUNDLE_FORMAT_VIEWS = 'allears-multiclf-2';
const BUNDLE_FORMATS = [BUNDLE_FORMAT, BUNDLE_FORMAT_VIEWS] as const;
export const BUNDLE_KINDS = ['one-vs-rest', 'gated-ordinal'] as const;
export type BundleKind = (typeof BUNDLE_KINDS)[number];

const PartFileSchema = z.object({ id: z.string().min(1), model: z.unknown() });

export const BundleFileSchema = z.object({
  format: z.enum(BUNDLE_FORMATS),
  task: z.string().min(1),
  kind: z.enum(BUNDLE_KINDS),
  /** one-vs-rest: the topic ids; gated-ordinal: the levels, lowest first. */
  labels: z.array(z.string().min(1)).min(1),
  /** one-vs-rest: the probability at or above which a label is given, per label. */
  thresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
  parts: z.array(PartFileSchema).min(1),
  /**
   * More views of the text: the same parts (same ids, same order) trained on other features, each
   * view's parts sharing their feature options; a part's probability is its mean over the views.
   * Written only in BUNDLE_FORMAT_VIEWS files; files without it load with one view.
   */
  views: z.array(z.array(PartFileSchema).min(1)).default([]),
  card: ModelCardSchema,
});
export type BundleFile = z.infer<typeof BundleFileSchema>;

export interface BundlePart {
  id: string;
  clf: TextClassifier;
}

/** A bundle whose parts do not fit together; `at` names them as the file does ("parts", "views[0]"). */
export class BundleError extends RangeError {
  constructor(readonly at: string, readonly reason: string) {
    super(`${at}: ${reason}`);
  }
}

/** A bundle's reading of one text: see ClassifierBundle.read. */
export interface BundleReading {
  probabilities: Float64Array;
  /** How much each word raised `score(probabilities)`. */
  contributions(words: readonly string[], score: (p: Float64Array) => number): number[];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Features one view's parts share; without IDF every part's vector of a text is the same. */
function sharedFeatures(view: readonly BundlePart[]): boolean {
  return !view.some((p) => p.clf.featureOptions.idf);
}

/**
 * Binary classifiers sharing one file, card and version; each part answers P("1"). `parts` is the
 * first view; `moreViews` hold the same parts trained on other features, and every probability the
 * bundle gives is the mean over all views.
 */
export class ClassifierBundle {
  /** `parts` and then `moreViews`. */
  readonly views: ReadonlyArray<readonly BundlePart[]>;

  constructor(
    readonly task: string,
    readonly kind: BundleKind,
    readonly labels: readonly string[],
    readonly parts: readonly BundlePart[],
    readonly thresholds: Readonly<Record<string, number>>,
    readonly card: ModelCard,
    moreViews: ReadonlyArray<readonly BundlePart[]> = [],
  ) {
    this.views = [parts, ...moreViews];
    const ids = parts.map((p) => p.id).join('\n');
    this.views.forEach((view, v) => {
      const at = v === 0 ? 'parts' : `views[${v - 1}]`;
      if (view.map((p) => p.id).join('\n') !== ids) throw new BundleError(at, `other parts than the first view (${parts.map((p) => p.id).join(', ')})`);
      for (const p of view) if (!p.clf.labels.includes('1')) throw new BundleError(at, `part ${p.id} is not a binary "1"/"0" model`);
      const fo = JSON.stringify(view[0]?.clf.featureOptions);
      for (const p of view) if (JSON.stringify(p.clf.featureOptions) !== fo) throw new BundleError(at, `part ${p.id} has other feature options than part ${view[0]!.id}`);
    });
  }

  get version(): string {
    return this.card.version;
  }

  private readonly wordBuckets = new Map<string, Int32Array>();

  /** The features of the text for each part of a view; featurized once when the parts share them. */
  private vectors(view: readonly BundlePart[], text: string): SparseVector[] {
    if (!sharedFeatures(view)) return view.map((p) => p.clf.features(text));
    const x = view[0]!.clf.features(text);
    return view.map(() => x);
  }

  /** P("1") of every part, in part order: the mean over the views. */
  probabilities(text: string): Float64Array {
    return this.mean(this.views.map((view) => this.logits(view, text, false).logit)).probabilities;
  }

  /** Per part: the mean over the views of P("1") = σ(logit), and the share of it that views after the first give. */
  private mean(logits: readonly Float64Array[]): { probabilities: Float64Array; others: Float64Array } {
    const M = this.parts.length;
    const V = logits.length;
    const others = new Float64Array(M);
    for (let v = 1; v < V; v++) for (let m = 0; m < M; m++) others[m] = others[m]! + sigmoid(logits[v]![m]!) / V;
    const probabilities = new Float64Array(M);
    for (let m = 0; m < M; m++) probabilities[m] = others[m]! + sigmoid(logits[0]![m]!) / V;
    return { probabilities, others };
  }

  /** The buckets a word alone falls in, in the first view; cached, since the same words come back in text after text. */
  private bucketsOf(word: string): Int32Array {
    let b = this.wordBuckets.get(word);
    if (b === undefined) {
      if (this.wordBuckets.size >= 100_000) this.wordBuckets.clear();
      b = this.parts[0]!.clf.features(word).indices.slice();
      this.wordBuckets.set(word, b);
    }
    return b;
  }

  /**
   * Each part's logit of the text in one view (binary softmax: P("1") = σ(z1 − z0)), and when
   * `withDiffs` what each of its buckets adds to it (else no maps).
   */
  private logits(view: readonly BundlePart[], text: string, withDiffs: boolean): { logit: Float64Array; diffs: Array<Map<number, number>> } {
    const xs = this.vectors(view, text);
    const logit = new Float64Array(view.length);
    const diffs: Array<Map<number, number>> = [];
    view.forEach((p, m) => {
      const x = xs[m]!;
      const one = p.clf.labels.indexOf('1');
      const K = p.clf.labels.length;
      const w = p.clf.model.weights;
      const diff = withDiffs ? new Map<number, number>() : undefined;
      let z = p.clf.model.bias[one]! - p.clf.model.bias[1 - one]!;
      for (let i = 0; i < x.indices.length; i++) {
        const j = x.indices[i]!;
        const d = x.values[i]! * (w[j * K + one]! - w[j * K + 1 - one]!);
        diff?.set(j, d);
        z += d;
      }
      logit[m] = z;
      if (diff) diffs.push(diff);
    });
    return { logit, diffs };
  }

  /**
   * The text's probabilities (as probabilities() gives them), and a way to weigh words against any
   * score of them: the score minus the score with the word's features taken out of every part's
   * logit in the first view (the words'); other views read the text as it is, since a word's
   * character n-grams there are shared with other words. Words the model never weighted add 0.
   * The text is featurized once for both.
   */
  read(text: string): BundleReading {
    const M = this.parts.length;
    const V = this.views.length;
    const byView = this.views.map((view, v) => this.logits(view, text, v === 0));
    // The other views' share of each part's mean is the same whichever word is taken out.
    const { probabilities, others } = this.mean(byView.map((r) => r.logit));
    const { logit, diffs } = byView[0]!;
    const contributions = (words: readonly string[], score: (p: Float64Array) => number) => {
      const base = score(probabilities);
      const without = new Float64Array(M);
      return words.map((word) => {
        const buckets = this.bucketsOf(word);
        for (let m = 0; m < M; m++) {
          let z = logit[m]!;
          const diff = diffs[m]!;
          for (let k = 0; k < buckets.length; k++) z -= diff.get(buckets[k]!) ?? 0;
          without[m] = others[m]! + sigmoid(z) / V;
        }
        return base - score(without);
      });
    };
    return { probabilities, contributions };
  }

  toFile(): BundleFile {
    return {
      format: this.views.length > 1 ? BUNDLE_FORMAT_VIEWS : BUNDLE_FORMAT, task: this.task, kind: this.kind, labels: [...this.labels], thresholds: { ...this.thresholds },
      parts: this.parts.map(partFile), views: this.views.slice(1).map((view) => view.map(partFile)), card: this.card,
    };
  }

  static fromFile(json: unknown, source = 'model'): ClassifierBundle {
    const r = BundleFileSchema.safeParse(json);
    if (!r.success) {
      const details = zodDetails(r.error.issues);
      throw new ValidationError(`${source} is not a valid ${BUNDLE_FORMATS.join(' / ')} file: ${details.map((d) => `${d.path || '(root)'}: ${d.message}`).join('; ')}`, details, 'model_invalid');
    }
    const f = r.data;
    const partsOf = (ps: BundleFile['parts'], at: string) => ps.map((p, i) => ({ id: p.id, clf: fromModelFile(p.model, `${source} ${at}[${i}]`) }));
    const views = f.views.map((view, v) => partsOf(view, `views[${v}]`));
    try {
      return new ClassifierBundle(f.task, f.kind, f.labels, partsOf(f.parts, 'parts'), f.thresholds, f.card, views);
    } catch (err) {
      if (!(err instanceof BundleError)) throw err;
      throw new ValidationError(`${source} is not a valid ${f.format} file: ${err.message}`, [{ path: err.at, message: err.reason }], 'model_invalid');
    }
  }

  async save(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify(this.toFile()));
  }

  static load(path: string): ClassifierBundle {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ValidationError(`${path}: ${(err as Error).message}`, [{ path: 'model', message: 'unreadable or not JSON' }], 'model_invalid');
    }
    const task = (json as { task?: unknown } | null)?.task;
    const format = (json as { format?: unknown } | null)?.format;
    if (!BUNDLE_FORMATS.includes(format as (typeof BUNDLE_FORMATS)[number]) && typeof task === 'string') {
      throw new ValidationError(`${path} is a "${task}" model, not a ${BUNDLE_FORMAT} one`, [{ path: 'model', message: `a single-label "${task}" model` }], 'model_invalid');
    }
    return ClassifierBundle.fromFile(json, path);
  }
}

function partFile(p: BundlePart): BundleFile['parts'][number] {
  return { id: p.id, model: toModelFile(p.clf) };
}

/** Train one binary part: texts with `yes[i]` as "1", the rest "0". Null when one side is empty. */
export function trainPart(id: string, texts: readonly string[], yes: readonly boolean[], opts: TrainOptions): BundlePart | null {
  const n1 = yes.filter(Boolean).length;
  if (n1 === 0 || n1 === yes.length) return null;
  return { id, clf: trainClassifier(texts.map((text, i) => ({ text, label: yes[i] ? '1' : '0' })), { ...opts, task: `${opts.task}:${id}` }) };
}

/** A version that changes with any part's weights and says when it was trained: `topics-ovr:1a2b3c4d@2025-03-01`. */
export function bundleVersion(prefix: string, parts: readonly BundlePart[], trainedAt: Date): string {
  let h = 0x811c9dc5;
  for (const c of parts.map((p) => `${p.id}=${p.clf.card?.version ?? ''}`).join(';')) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return `${prefix}:${(h >>> 0).toString(16).padStart(8, '0')}@${trainedAt.toISOString().slice(0, 10)}`;
}

/** Topic ids of one label cell: a JSON array, or ids separated by `|`, `;` or `,`. `[]` means none. */
export function parseTopicLabels(cell: unknown): string[] | null {
  if (Array.isArray(cell)) return cell.map((v) => String(v).trim()).filter(Boolean);
  const s = cell === undefined || cell === null ? '' : String(cell).trim();
  if (!s) return null;
  if (s.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(s);
      if (Array.isArray(v)) return v.map((x) => String(x).trim()).filter(Boolean);
    } catch {
      // Not JSON after all: fall through to separators.
    }
  }
  return [...new Set(s.split(/[|;,]/).map((x) => x.trim()).filter(Boolean))];
}

export interface MultiLabelExample {
  text: string;
  labels: readonly string[];
}

/** Per label: the threshold with the best F1 on `valid` (0.5 when it has no positives). */
export function bestThresholds(parts: readonly BundlePart[], valid: readonly MultiLabelExample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parts) {
    const scored = valid.map((e) => ({ p: p.clf.predict(e.text).probabilities['1']!, y: e.labels.includes(p.id) }));
    const positives = scored.filter((s) => s.y).length;
    if (positives === 0) {
      out[p.id] = 0.5;
      continue;
    }
    scored.sort((a, b) => b.p - a.p);
    let tp = 0;
    let best = { f1: -1, t: 0.5 };
    scored.forEach((s, k) => {
      if (s.y) tp++;
      const next = scored[k + 1];
      if (next && next.p === s.p) return;
      const f1 = (2 * tp) / (k + 1 + positives);
      // Halfway to the next score, so a slightly lower probability on new data still passes.
      if (f1 > best.f1) best = { f1, t: next ? (s.p + next.p) / 2 : s.p };
    });
    out[p.id] = Math.round(Math.min(0.95, Math.max(0.05, best.t)) * 1000) / 1000;
  }
  return out;
}

/**
 * One-vs-rest topic classifiers: one binary part per topic id seen in `train`, each threshold tuned
 * on `valid` for F1. Topics that every example has, or none, get no part.
 */
export function trainTopicBundle(train: readonly MultiLabelExample[], valid: readonly MultiLabelExample[], opts: TrainOptions): ClassifierBundle {
  const ids = [...new Set(train.flatMap((e) => e.labels))].sort();
  const texts = train.map((e) => e.text);
  const parts = ids.flatMap((id) => trainPart(id, texts, train.map((e) => e.labels.includes(id)), opts) ?? []);
  if (!parts.length) throw new ValidationError('topics training needs at least one topic that some examples have and others do not', [{ path: 'labelCol', message: 'no usable topic' }]);
  const thresholds = bestThresholds(parts, valid.length ? valid : train);
  const trainedAt = opts.now?.() ?? new Date();
  const card: ModelCard = {
    trainedAt: trainedAt.toISOString(),
    data: { file: opts.data?.file ?? '(in memory)', rows: train.length + valid.length, ...(opts.data?.licence ? { licence: opts.data.licence } : {}) },
    metrics: { accuracy: 0, macroF1: 0, perClass: {} },
    version: bundleVersion('topics-ovr', parts, trainedAt),
  };
  return new ClassifierBundle(opts.task, 'one-vs-rest', parts.map((p) => p.id), parts, thresholds, card);
}

/** The topics a one-vs-rest bundle gives a text: every part at or above its threshold, highest first. */
export function bundleTopics(bundle: ClassifierBundle, text: string): TopicHit[] {
  const p = bundle.probabilities(text);
  const out: TopicHit[] = [];
  bundle.parts.forEach((part, m) => {
    if (p[m]! >= (bundle.thresholds[part.id] ?? 0.5)) out.push({ id: part.id, score: Math.round(p[m]! * 1000) / 1000 });
  });
  return out.sort((a, b) => b.score - a.score);
}

/** A TopicModel over per-language bundles; languages without one get no model topics. */
export function topicModelOf(byLang: Partial<Record<Lang, ClassifierBundle>>): TopicModel | undefined {
  const entries = Object.entries(byLang).filter(([, b]) => b) as Array<[Lang, ClassifierBundle]>;
  if (!entries.length) return undefined;
  return {
    version: entries.map(([lang, b]) => `${lang}=${b.version}`).join(','),
    predict: (text, lang) => {
      const b = byLang[lang];
      return b ? bundleTopics(b, text) : [];
    },
  };
}

/** Bundles named in `models.<task>` (topics or escalation), every problem reported at once. */
export function loadBundles(models: ModelsConfig, task: 'topics' | 'escalation'): Partial<Record<Lang, ClassifierBundle>> {
  const out: Partial<Record<Lang, ClassifierBundle>> = {};
  const problems: { path: string; message: string }[] = [];
  const kind: BundleKind = task === 'topics' ? 'one-vs-rest' : 'gated-ordinal';
  for (const [lang, file] of Object.entries(models[task]) as Array<[Lang, string | undefined]>) {
    if (!file) continue;
    try {
      const b = ClassifierBundle.load(file);
      if (b.kind !== kind) throw new ValidationError(`a ${b.kind} model, not a ${task} model`);
      out[lang] = b;
    } catch (err) {
      problems.push({ path: `models.${task}.${lang}`, message: `${file}: ${(err as Error).message}` });
    }
  }
  if (problems.length) throw new ConfigError(`cannot load models:\n  ${problems.map((p) => `${p.path}: ${p.message}`).join('\n  ')}`, problems);
  return out;
}
