import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ValidationError, type Complaint, type Lang, type Sentiment } from '../../../model/index.ts';
import type { ModelsConfig } from '../../../config/schema.ts';
import type { ComplaintInput, ComplaintModel } from '../complaint.ts';
import type { EnTokens } from '../en-tokenizer.ts';
import { labelFor, type SentimentModel } from '../sentiment.ts';
import { loadModelSync } from './model-file.ts';
import type { TextClassifier } from './text-classifier.ts';

type ByLang = Partial<Record<Lang, TextClassifier>>;

/** Label names trained models use for sentiment, mapped to ours (the Chinese sets label 1/0). */
const SENTIMENT_NAMES: Record<string, 'positive' | 'neutral' | 'negative'> = {
  positive: 'positive', pos: 'positive', '1': 'positive',
  neutral: 'neutral',
  negative: 'negative', neg: 'negative', '0': 'negative',
};
/** Label names that mean "this is a complaint". */
const COMPLAINT_YES = new Set(['complaint', '1', 'true', 'yes']);
const COMPLAINT_NO = new Set(['not_complaint', 'not complaint', 'no_complaint', '0', 'false', 'no']);

function versionOf(byLang: ByLang, fallback: string): string {
  const parts = Object.entries(byLang).map(([lang, clf]) => `${lang}=${clf!.card?.version ?? clf!.task}`);
  return `${parts.join(',')};else=${fallback}`;
}

/** Per label of a classifier: +1 positive, −1 negative, 0 otherwise. */
function polarities(clf: TextClassifier): Int8Array {
  return Int8Array.from(clf.labels, (l) => (SENTIMENT_NAMES[l] === 'positive' ? 1 : SENTIMENT_NAMES[l] === 'negative' ? -1 : 0));
}

/** Sentiment from trained classifiers where a language has one, the fallback (lexicon) elsewhere. */
export function sentimentFromClassifiers(byLang: ByLang, fallback: SentimentModel): SentimentModel {
  const polarity = new Map(Object.values(byLang).map((clf) => [clf!, polarities(clf!)] as const));
  return {
    version: versionOf(byLang, fallback.version),
    score(text: string, lang: Lang, tokens?: EnTokens): Sentiment {
      const clf = byLang[lang];
      if (!clf) return fallback.score(text, lang, tokens);
      const p = clf.probabilities(text, tokens);
      const sign = polarity.get(clf)!;
      let pos = 0;
      let neg = 0;
      let best = 0;
      for (let k = 0; k < p.length; k++) {
        const q = p[k]!;
        if (sign[k] === 1) pos += q;
        else if (sign[k] === -1) neg += q;
        if (q > best) best = q;
      }
      const score = Math.round((pos - neg) * 1000) / 1000;
      return { label: labelFor(score), score, confidence: Math.round(best * 1000) / 1000 };
    },
  };
}

/** Complaint from trained classifiers where a language has one, the fallback (rules) elsewhere. */
export function complaintFromClassifiers(byLang: ByLang, fallback: ComplaintModel): ComplaintModel {
  const yes = new Map(Object.values(byLang).map((clf) => [clf!, Uint8Array.from(clf!.labels, (l) => (COMPLAINT_YES.has(l.toLowerCase()) ? 1 : 0))] as const));
  return {
    version: versionOf(byLang, fallback.version),
    predict(input: ComplaintInput): Complaint {
      const clf = byLang[input.lang];
      if (!clf) return fallback.predict(input);
      const q = clf.probabilities(input.text, input.tokens);
      const isYes = yes.get(clf)!;
      let p = 0;
      for (let k = 0; k < q.length; k++) if (isYes[k] === 1) p += q[k]!;
      const probability = Math.round(p * 1000) / 1000;
      return { is: probability >= 0.5, probability };
    },
  };
}

/** Where allears is installed: the shipped models live in its models/ folder. */
const INSTALL_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A relative model path is read from the working directory, as every other path in the config;
 * failing that, from where allears is installed, so the shipped `models/…` paths work from anywhere.
 */
export function resolveModelPath(file: string): string {
  if (isAbsolute(file) || existsSync(file)) return file;
  const installed = resolve(INSTALL_ROOT, file);
  return existsSync(installed) ? installed : file;
}

/**
 * Load the model files named in config, checking that their labels mean something for the task.
 * Problems are reported as configuration errors naming `models.<task>.<lang>`.
 */
export function loadConfiguredModels(models: ModelsConfig): { sentiment: ByLang; complaint: ByLang } {
  const out = { sentiment: {} as ByLang, complaint: {} as ByLang };
  const problems: { path: string; message: string }[] = [];
  for (const task of ['sentiment', 'complaint'] as const) {
    for (const [lang, file] of Object.entries(models[task]) as [Lang, string | undefined][]) {
      if (!file) continue;
      const path = `models.${task}.${lang}`;
      try {
        const clf = loadModelSync(resolveModelPath(file));
        const unknown = clf.labels.filter((l) => (task === 'sentiment' ? !(l in SENTIMENT_NAMES) : !COMPLAINT_YES.has(l.toLowerCase()) && !COMPLAINT_NO.has(l.toLowerCase())));
        if (unknown.length) throw new ValidationError(`labels ${unknown.join(', ')} mean nothing for ${task}`);
        out[task][lang] = clf;
      } catch (err) {
        problems.push({ path, message: `${file}: ${(err as Error).message}` });
      }
    }
  }
  if (problems.length) throw new ConfigError(`cannot load models:\n  ${problems.map((p) => `${p.path}: ${p.message}`).join('\n  ')}`, problems);
  return out;
}
