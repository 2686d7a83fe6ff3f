import type { Config } from '../../config/schema.ts';
import type { Escalation, EscalationLevel, EscalationSignal } from '../../model/index.ts';
import { negatedAt } from '../nlp/negation.ts';
import { surveyBand } from '../nlp/survey.ts';
import type { Draft, Stage } from '../stage.ts';
import { BatchText, setAnalysis } from './common.ts';
import { configHits, configKeywords, KEYWORD_SIGNALS } from './keywords.ts';

export const ESCALATION_VERSION = 'rules-2';

/** Enough quoted words to show why, few enough to read at a glance. */
const MAX_QUOTES = 5;
const METRIC_NAMES = { nps: 'NPS', csat: 'CSAT', ces: 'CES' } as const;

const fmt = (n: number): string => n.toLocaleString('en-US');

/** The words as the customer wrote them, each once: `mentions "CFPB", "lawyer"`. */
function quotes(text: string, spans: Array<[number, number]>): string {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const [s, e] of spans.sort((a, b) => a[0] - b[0])) {
    const w = text.slice(s, e);
    if (seen.has(w.toLowerCase()) || words.length >= MAX_QUOTES) continue;
    seen.add(w.toLowerCase());
    words.push(`"${w}"`);
  }
  return `mentions ${words.join(', ')}`;
}

function keywordSignals(texts: BatchText, i: number, config: Config, out: EscalationSignal[]): void {
  const d = texts.draft(i);
  const text = texts.text(i);
  const { signalBase, cueBase } = configKeywords(config);
  const spans = KEYWORD_SIGNALS.map((): Array<[number, number]> => []);
  const tokens = texts.tokens(i);
  for (const h of configHits(texts, i, config)) {
    if (h.group < signalBase || h.group >= cueBase) continue;
    // "I won't sue", "不会起诉": a threat taken back is no threat.
    if (negatedAt(text, tokens, h.start)) continue;
    spans[h.group - signalBase]!.push([h.start, h.end]);
  }
  KEYWORD_SIGNALS.forEach((id, g) => {
    const evidence: string[] = [];
    if (spans[g]!.length) evidence.push(quotes(text, spans[g]!));
    // Arriving through a regulator's portal is the regulator signal whatever the words say.
    if (id === 'regulator' && d.channel === 'regulator') evidence.push(`filed through a regulator channel (${d.source.name ?? d.source.id})`);
    if (evidence.length) out.push({ id, weight: config.escalation.signals[id].weight, evidence: evidence.join('; ') });
  });
}

function factSignals(d: Draft, config: Config, out: EscalationSignal[]): void {
  const s = config.escalation.signals;
  const followers = d.author?.followers ?? 0;
  if (followers >= s.reach.followers) {
    out.push({ id: 'reach', weight: s.reach.weight, evidence: `author has ${fmt(followers)} followers (threshold ${fmt(s.reach.followers)})` });
  }
  const e = d.engagement;
  const engagement = (e?.likes ?? 0) + (e?.shares ?? 0) + (e?.replies ?? 0);
  if (engagement >= s.virality.engagement) {
    const parts = `${fmt(e?.likes ?? 0)} likes, ${fmt(e?.shares ?? 0)} shares, ${fmt(e?.replies ?? 0)} replies`;
    out.push({ id: 'virality', weight: s.virality.weight, evidence: `${parts} (${fmt(engagement)} ≥ ${fmt(s.virality.engagement)})` });
  }
  const sentiment = d.analysis.sentiment;
  if (sentiment && sentiment.score <= s.negative.below) {
    out.push({ id: 'negative', weight: s.negative.weight, evidence: `sentiment score ${sentiment.score} (at or below ${s.negative.below})` });
  }
  if (d.survey) {
    const { metric, score } = d.survey;
    const t = config.surveys.thresholds[metric];
    const band = surveyBand(score, t);
    // Only the stronger of the two: a critical score is also low, and counting both would double it.
    if (band === 'critical') {
      out.push({ id: 'criticalScore', weight: s.criticalScore.weight, evidence: `${METRIC_NAMES[metric]} score ${score} (critical at or below ${t.critical})` });
    } else if (band === 'low') {
      out.push({ id: 'lowScore', weight: s.lowScore.weight, evidence: `${METRIC_NAMES[metric]} score ${score} (low at or below ${t.low})` });
    }
  }
}

export function levelFor(score: number, levels: Config['escalation']['levels']): EscalationLevel {
  return score >= levels.critical ? 'critical' : score >= levels.high ? 'high' : score >= levels.medium ? 'medium' : 'low';
}

/** Item i's escalation. Noisy-OR: each signal alone could warrant escalation; together they reinforce without passing 1. */
export function escalate(texts: BatchText, i: number, config: Config): Escalation {
  const signals: EscalationSignal[] = [];
  keywordSignals(texts, i, config, signals);
  factSignals(texts.draft(i), config, signals);
  let keep = 1;
  for (const sig of signals) keep *= 1 - Math.min(1, Math.max(0, sig.weight));
  const score = Math.round((1 - keep) * 1000) / 1000;
  return { score, level: levelFor(score, config.escalation.levels), signals };
}

/**
 * Escalation risk: regulator, legal, media and churn words (English and Chinese), the author's
 * reach, virality, strongly negative sentiment and low survey scores, each with the evidence that
 * raised it. Runs after sentiment.
 */
export function escalationStage(): Stage {
  return {
    name: 'escalation',
    run(batch, { config }) {
      const texts = BatchText.of(batch);
      batch.forEach((d, i) => setAnalysis(d, { escalation: escalate(texts, i, config) }, { escalation: ESCALATION_VERSION }));
      return batch;
    },
  };
}
