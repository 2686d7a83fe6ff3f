import { readFileSync } from 'node:fs';
import { ConfigError, ValidationError, type Complaint, type Lang, type Sentiment } from '../../../model/index.ts';
import type { ModelsConfig } from '../../../config/schema.ts';
import type { ComplaintInput, ComplaintModel } from '../complaint.ts';
import type { EnTokens } from '../en-tokenizer.ts';
import { labelFor, type SentimentModel } from '../sentiment.ts';
import { fromModelFile } from './model-file.ts';
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

/** Sentiment from trained classifiers where a language has one, the fallback (lexicon) elsewhere. */
export function sentimentFromClassifiers(byLang: ByLang, fallback: SentimentModel): SentimentModel {
  return {
    version: versionOf(byLang, fallback.version),
    score(text: string, lang: Lang, tokens?: EnTokens): Sentiment {
      const clf = byLang[lang];
      if (!clf) return fallback.score(text, lang, tokens);
      const { probabilities } = clf.predict(text);
      let pos = 0;
      let neg = 0;
      let best = 0;
      for (const [label, p] of Object.entries(probabilities)) {
        if (SENTIMENT_NAMES[label] === 'positive') pos += p;
        if (SENTIMENT_NAMES[label] === 'negative') neg += p;
        best = Math.max(best, p);
      }
      const score = Math.round((pos - neg) * 1000) / 1000;
      return { label: labelFor(score), score, confidence: Math.round(best * 1000) / 1000 };
    },
  };
}

/** Complaint from trained classifiers where a language has one, the fallback (rules) elsewhere. */
export function complaintFromClassifiers(byLang: ByLang, fallback: ComplaintModel): ComplaintModel {
  return {
    version: versionOf(byLang, fallback.version),
    predict(input: ComplaintInput): Complaint {
      const clf = byLang[input.lang];
      if (!clf) return fallback.predict(input);
      const { probabilities } = clf.predict(input.text);
      let p = 0;
      for (const [label, q] of Object.entries(probabilities)) if (COMPLAINT_YES.has(label.toLowerCase())) p += q;
      const probability = Math.round(p * 1000) / 1000;
      return { is: probability >= 0.5, probability };
    },
  };
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
        const clf = fromModelFile(JSON.parse(readFileSync(file, 'utf8')), file);
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
