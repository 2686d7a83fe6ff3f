import type { Config } from '../../config/schema.ts';
import { authorKeyOf, ValidationError, type Escalation, type EscalationLevel, type EscalationSignal, type Lang } from '../../model/index.ts';
import type { ModelCard, SetTraining, TrainOptions } from '../nlp/classifier/index.ts';
import { isHan } from '../nlp/chars.ts';
import { tokenizeEn, type EnTokens } from '../nlp/en-tokenizer.ts';
import { negatedAt } from '../nlp/negation.ts';
import { surveyBand } from '../nlp/survey.ts';
import { cutZh } from '../nlp/zh-tokenizer.ts';
import type { Draft, Stage } from '../stage.ts';
import { BatchText, perConfig, publishedTimes, setVersions } from './common.ts';
import { configHits, configKeywords, HOSTILE_SIGNALS, KEYWORD_SIGNALS } from './keywords.ts';
import { bundleVersion, ClassifierBundle, trainPart, type BundlePart } from './topics.ts';

/** The key the store indexes stored feedback by; computed in model/ so both sides agree. */
export { authorKeyOf };
export { HOSTILE_SIGNALS };

export const ESCALATION_VERSION = 'rules-4';

/** Enough quoted words to show why, few enough to read at a glance. */
const MAX_QUOTES = 5;
const METRIC_NAMES = { nps: 'NPS', csat: 'CSAT', ces: 'CES' } as const;

const fmt = (n: number): string => n.toLocaleString('en-US');
const round3 = (x: number) => Math.round(x * 1000) / 1000;

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
  const hits = configHits(texts, i, config);
  if (d.channel !== 'regulator' && !hits.some((h) => h.group >= signalBase && h.group < cueBase)) return;
  const spans = KEYWORD_SIGNALS.map((): Array<[number, number]> => []);
  const tokens = texts.tokens(i);
  for (const h of hits) {
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

/** How much an item reads as a grievance, which hostility signals are scaled by, and why. */
interface Grievance {
  value: number;
  /** What the value is, shown with it: "model risk 0.6", "sentiment score -0.8". */
  source: 'model risk' | 'sentiment score';
  shown: number;
}

/**
 * The trained model's risk when it assessed the item, else the strength of a negative sentiment at
 * or below the negative signal's threshold, else none: "you" or "!!!" in a happy text is no charge.
 */
function grievanceOf(d: Draft, config: Config, risk: number | undefined): Grievance | null {
  if (risk !== undefined) return risk > 0 ? { value: risk, source: 'model risk', shown: risk } : null;
  const score = d.analysis.sentiment?.score;
  if (score === undefined || score > config.escalation.signals.negative.below || score >= 0) return null;
  return { value: Math.abs(score), source: 'sentiment score', shown: score };
}

/** A hostility signal: `weight` × the grievance, unless that rounds to nothing. */
function pushScaled(out: EscalationSignal[], id: string, weight: number, found: string, g: Grievance): void {
  const scaled = round3(weight * g.value);
  if (scaled > 0) out.push({ id, weight: scaled, evidence: `${found} (weight ${weight} × ${g.source} ${g.shown})` });
}

/**
 * Addressing the company, accusing, insulting and demanding, each signal quoting its words. Not the
 * negation scope, which reaches too far ("can't believe you scammed me"): each list's `except`
 * phrases say what takes the charge back ("not your fault", "scam call").
 */
function hostileSignals(texts: BatchText, i: number, config: Config, g: Grievance, out: EscalationSignal[]): void {
  const { hostile } = configKeywords(config);
  if (!hostile.length) return;
  const hits = configHits(texts, i, config);
  if (!hits.length) return;
  const text = texts.text(i);
  for (const { id, group } of hostile) {
    const spans: Array<[number, number]> = [];
    for (const h of hits) {
      if (h.group === group && !hits.some((x) => x.group === group + 1 && x.start < h.end && h.start < x.end)) spans.push([h.start, h.end]);
    }
    if (spans.length) pushScaled(out, id, config.escalation.signals[id].weight, quotes(text, spans), g);
  }
}

/** A word in capitals, three letters or more, as the customer wrote it ("NEVER", "REFUND"). */
const CAPS_WORD = /^[A-Z][A-Z']*[A-Z]$/;
const EDGE_PUNCT = /^[^\p{L}\p{N}@#]+|[^\p{L}\p{N}]+$/gu;
/** Three capitals or apostrophes in a row, which most texts lack: the regular expression engine finds that fastest. */
const CAPS_RUN = /[A-Z'][A-Z'][A-Z']/;

/**
 * Runs of three or more capitals and apostrophes, at most `enough`: each word capsWords finds lies
 * in one such run (a word is such a run, and runs do not cross spaces), so fewer runs than the
 * signal needs rule it out with one pass over the character codes.
 */
function capsRuns(text: string, enough: number): number {
  if (!CAPS_RUN.test(text)) return 0;
  let runs = 0;
  let len = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    if ((c >= 0x41 && c <= 0x5a) || c === 0x27) len++;
    else {
      if (len >= 3 && ++runs >= enough) return runs;
      len = 0;
    }
  }
  return runs;
}

/** Words in capitals, each once, outside handles, hashtags and links; none when fewer than `need` can be. */
function capsWords(text: string, need: number): string[] {
  const out: string[] = [];
  if (capsRuns(text, need) < need) return out;
  for (const raw of text.split(/\s+/)) {
    const w = raw.replace(EDGE_PUNCT, '');
    if (w.length >= 3 && CAPS_WORD.test(w) && !out.includes(w)) out.push(w);
  }
  return out;
}

/** A run of `marks` or more exclamation or question marks, half or full width. */
const marksRun = perConfig((config: Config) => new RegExp(`[!?！？]{${config.escalation.signals.shouting.marks},}`));

/** Shouting: several words in capitals, or a run of exclamation or question marks. */
function shoutingSignal(text: string, config: Config, g: Grievance, out: EscalationSignal[]): void {
  const s = config.escalation.signals.shouting;
  if (s.weight <= 0) return;
  const found: string[] = [];
  const caps = capsWords(text, s.capsWords);
  if (caps.length >= s.capsWords) found.push(`writes in capitals (${caps.slice(0, MAX_QUOTES).map((w) => `"${w}"`).join(', ')})`);
  const run = marksRun(config).exec(text);
  if (run) found.push(`"${run[0]}"`);
  if (found.length) pushScaled(out, 'shouting', s.weight, found.join('; '), g);
}

/** `modelled`: a trained escalation model assessed the item (the negative signal then weighs `withModel`, when set). */
function factSignals(d: Draft, config: Config, modelled: boolean, out: EscalationSignal[]): void {
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
  const complaint = d.analysis.complaint;
  if (complaint?.is && s.complaint.weight > 0) {
    out.push({ id: 'complaint', weight: round3(s.complaint.weight * complaint.probability), evidence: `reads as a complaint (probability ${complaint.probability})` });
  }
  const sentiment = d.analysis.sentiment;
  if (sentiment && sentiment.score <= s.negative.below) {
    const base = modelled ? s.negative.withModel ?? s.negative.weight : s.negative.weight;
    const weight = s.negative.scaled ? round3(base * Math.abs(sentiment.score)) : base;
    if (weight > 0) out.push({ id: 'negative', weight, evidence: `sentiment score ${sentiment.score} (at or below ${s.negative.below})` });
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

const DAY_MS = 86_400_000;

/** "14 days", "36 hours": a config duration as a person says it. */
function spoken(ms: number): string {
  if (ms >= DAY_MS && ms % DAY_MS === 0) return `${ms / DAY_MS} day${ms === DAY_MS ? '' : 's'}`;
  const h = Math.round(ms / 3_600_000);
  return `${h} hour${h === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// The trained signal.

/** What the stage needs from a trained escalation model: a risk and the words behind it. */
export interface EscalationModel {
  readonly version: string;
  /**
   * Null when the item's language has no model. Words that raised the risk, most first, when the
   * risk is at least `explainFrom` (weighing words costs more than the risk itself).
   */
  assess(text: string, lang: Lang, tokens?: EnTokens, explainFrom?: number): { risk: number; words: Array<{ word: string; contribution: number }> } | null;
}

/** Level names in order, for label columns that use them. */
const LEVEL_ORDER = ['low', 'medium', 'high', 'critical'];
const NO_YES = [['0', '1'], ['false', 'true'], ['no', 'yes'], ['not_complaint', 'complaint'], ['no_complaint', 'complaint'], ['negative', 'positive']];

/** Labels lowest first: numbers by value, level names by level, a no/yes pair no first. */
export function orderLevels(labels: readonly string[]): string[] {
  const distinct = [...new Set(labels)];
  if (distinct.every((l) => l.trim() !== '' && Number.isFinite(Number(l)))) return distinct.sort((a, b) => Number(a) - Number(b));
  if (distinct.every((l) => LEVEL_ORDER.includes(l.toLowerCase()))) return distinct.sort((a, b) => LEVEL_ORDER.indexOf(a.toLowerCase()) - LEVEL_ORDER.indexOf(b.toLowerCase()));
  const pair = NO_YES.find((p) => distinct.length === 2 && distinct.every((l) => p.includes(l.toLowerCase())));
  if (pair) return distinct.sort((a, b) => pair.indexOf(a.toLowerCase()) - pair.indexOf(b.toLowerCase()));
  throw new ValidationError(`cannot order the escalation labels ${distinct.slice(0, 6).join(', ')}`, [
    { path: 'labelCol', message: 'use numbers (e.g. severity 0–4), low/medium/high/critical, or a no/yes pair such as 0/1' },
  ]);
}

/**
 * Gated ordinal risk: P(above the lowest level) × the mean of P(at or above each higher level |
 * above the lowest). Part 0 is the gate; the rest are trained only on items above the lowest level,
 * which separates "how bad" from "is it a complaint at all" better than one classifier over all levels.
 */
export function gatedRisk(p: ArrayLike<number>): number {
  if (p.length <= 1) return p[0] ?? 0;
  let sum = 0;
  for (let m = 1; m < p.length; m++) sum += p[m]!;
  return p[0]! * (sum / (p.length - 1));
}

/** The level a gated ordinal bundle predicts: the highest whose P(at or above) reaches 0.5. */
export function gatedLevel(bundle: ClassifierBundle, p: ArrayLike<number>): string {
  const L = bundle.labels;
  if (p[0]! < 0.5) return L[0]!;
  let best = 1;
  for (let m = 1; m < p.length; m++) if (p[0]! * p[m]! >= 0.5) best = m + 1;
  return L[best]!;
}

/**
 * Features and training settings of the escalation model's word view unless the caller sets them:
 * words with their lexicon polarity, no word bigrams, a stronger L2. Chosen by 5-fold cross-validation inside
 * the training 80% of X-CI (bench/quality-escalation.ts): AUC of the risk for severity ≥ 3 from
 * 0.816 to 0.833 (0.809 to 0.826 with other folds); the lexicon alone gave 0.825, dropping bigrams
 * 0.831. Tried and not kept: NB scaling (0.795), balanced classes, IDF, binary counts, character
 * n-grams inside words, more epochs, weight averaging, cumulative parts trained on all levels (0.808).
 */
export const ESCALATION_TRAINING = { featureOptions: { enLexicon: true, enBigrams: false }, logreg: { l2: 1e-2 } } as const satisfies SetTraining;

/**
 * The second view: the same parts trained on the text's character pairs alone (lower case, across
 * words: "!!", "?!", "u ", " r"), whose probabilities are averaged with the word view's. How
 * a complaint is written says how angry it is as much as its words do. 5-fold cross-validation
 * inside the training 80% of X-CI, AUC of the whole stage's score for severity ≥ 3: 0.844 with the
 * word view alone, 0.866 with both; pairs and triples 0.864, up to 4 0.861, up to 5 0.857; a weaker
 * L2 than the word view's (1e-4; 1e-3 0.860, 1e-2 0.852); character n-grams added to the word
 * view's features instead of a view of their own 0.854.
 */
export const ESCALATION_CHAR_VIEW = {
  featureOptions: { bits: 16, textCharMaxN: 2, charsOnly: true },
  logreg: { l2: 1e-4 },
} as const satisfies SetTraining;

/** The parts of a gated ordinal model over `levels`, each trained with `opts`: P(above the lowest), then P(at or above each higher level | above the lowest). */
function gatedParts(examples: ReadonlyArray<{ text: string; label: string }>, levels: readonly string[], opts: TrainOptions): BundlePart[] {
  const rank = new Map(levels.map((l, i) => [l, i] as const));
  const r = examples.map((e) => rank.get(e.label)!);
  const gate = trainPart(`ge:${levels[1]}`, examples.map((e) => e.text), r.map((x) => x >= 1), opts)!;
  const above = examples.flatMap((e, i) => (r[i]! >= 1 ? [{ text: e.text, r: r[i]! }] : []));
  const parts: BundlePart[] = [gate];
  for (let k = 2; k < levels.length; k++) {
    const p = trainPart(`ge:${levels[k]}`, above.map((a) => a.text), above.map((a) => a.r >= k), opts);
    if (!p) throw new ValidationError(`level "${levels[k]}" cannot be learnt: every or no example above "${levels[0]}" reaches it`, [{ path: 'labelCol', message: 'too few examples per level' }]);
    parts.push(p);
  }
  return parts;
}

/** `given` with `preset`'s feature options and training settings wherever the caller sets none. */
function withPreset(given: TrainOptions, preset: SetTraining): TrainOptions {
  return { ...given, featureOptions: { ...preset.featureOptions, ...given.featureOptions }, logreg: { ...preset.logreg, ...given.logreg } };
}

/**
 * Train the gated ordinal escalation model on texts labelled with a level (severity number, level
 * name or no/yes): a word view (ESCALATION_TRAINING, under the caller's options) and a character
 * view (ESCALATION_CHAR_VIEW: its features, learning rate and L2 are its own; the caller's seed,
 * epochs and class balancing apply to both).
 */
export function trainEscalationBundle(examples: ReadonlyArray<{ text: string; label: string }>, given: TrainOptions, card?: Partial<Pick<ModelCard, 'metrics'>>): ClassifierBundle {
  const levels = orderLevels(examples.map((e) => e.label));
  if (levels.length < 2) throw new ValidationError('escalation training needs at least two levels', [{ path: 'labelCol', message: 'fewer than two distinct labels' }]);
  const words = gatedParts(examples, levels, withPreset(given, ESCALATION_TRAINING));
  const { seed, epochs } = given.logreg ?? {};
  const chars = gatedParts(examples, levels, {
    task: given.task, ...(given.now ? { now: given.now } : {}), ...(given.data ? { data: given.data } : {}), ...(given.balanced ? { balanced: true } : {}),
    featureOptions: { ...ESCALATION_CHAR_VIEW.featureOptions },
    logreg: { ...ESCALATION_CHAR_VIEW.logreg, ...(seed !== undefined ? { seed } : {}), ...(epochs !== undefined ? { epochs } : {}) },
  });
  const trainedAt = given.now?.() ?? new Date();
  return new ClassifierBundle(given.task, 'gated-ordinal', levels, words, {}, {
    trainedAt: trainedAt.toISOString(),
    data: { file: given.data?.file ?? '(in memory)', rows: examples.length, ...(given.data?.licence ? { licence: given.data.licence } : {}) },
    metrics: card?.metrics ?? { accuracy: 0, macroF1: 0, perClass: {} },
    version: bundleVersion('escalation-gated', [...words, ...chars], trainedAt),
  }, [chars]);
}

/** Words of a text worth testing as evidence: English words (no numbers, no single letters) and Chinese words. */
function candidateWords(text: string, tokens: EnTokens): Array<{ key: string; shown: string }> {
  const seen = new Set<string>();
  const out: Array<{ key: string; shown: string }> = [];
  for (let i = 0; i < tokens.length && out.length < 80; i++) {
    const w = tokens.word(i);
    if (w.length < 2 || /^\d/.test(w) || seen.has(w)) continue;
    seen.add(w);
    out.push({ key: w, shown: text.slice(tokens.start(i), tokens.end(i)) });
  }
  let han = false;
  for (let i = 0; i < text.length && !han; i++) han = isHan(text.charCodeAt(i));
  if (han) {
    for (const w of cutZh(text)) {
      if (out.length >= 120 || seen.has(w) || !isHan(w.charCodeAt(0))) continue;
      seen.add(w);
      out.push({ key: w, shown: w });
    }
  }
  return out;
}

/**
 * An EscalationModel over per-language gated ordinal bundles. Words are weighed only when the
 * risk reaches `explainFrom`, since below it the signal is not shown; `topWords` are kept.
 */
export function escalationModelOf(byLang: Partial<Record<Lang, ClassifierBundle>>, opts: { topWords?: number; explainFrom?: number } = {}): EscalationModel | undefined {
  const entries = Object.entries(byLang).filter(([, b]) => b) as Array<[Lang, ClassifierBundle]>;
  if (!entries.length) return undefined;
  const topWords = opts.topWords ?? MAX_QUOTES;
  return {
    version: entries.map(([lang, b]) => `${lang}=${b.version}`).join(','),
    assess(text, lang, tokens, explainFrom = opts.explainFrom ?? 0) {
      const b = byLang[lang];
      if (!b) return null;
      const reading = b.read(text);
      const risk = gatedRisk(reading.probabilities);
      if (risk < explainFrom) return { risk: round3(risk), words: [] };
      const words = candidateWords(text, tokens ?? tokenizeEn(text));
      const contributions = reading.contributions(words.map((w) => w.key), gatedRisk);
      const ranked = words.map((w, k) => ({ word: w.shown, contribution: round3(contributions[k]!) }))
        .filter((w) => w.contribution > 0)
        .sort((x, y) => y.contribution - x.contribution)
        .slice(0, topWords);
      return { risk: round3(risk), words: ranked };
    },
  };
}

/** The model's signal, if strong enough; returns its risk, or undefined when it has no model for the language. */
function modelSignal(texts: BatchText, i: number, config: Config, model: EscalationModel, out: EscalationSignal[]): number | undefined {
  const d = texts.draft(i);
  const s = config.escalation.signals.model;
  const a = model.assess(texts.text(i), d.lang ?? 'other', texts.tokens(i), s.weight > 0 ? s.minWeight / s.weight : Infinity);
  if (!a) return undefined;
  const weight = round3(s.weight * a.risk);
  if (weight < s.minWeight || weight === 0) return a.risk;
  const words = a.words.map((w) => `"${w.word}" +${w.contribution}`);
  const evidence = words.length ? `model risk ${a.risk}; words ${words.join(', ')}` : `model risk ${a.risk} from the text as a whole`;
  out.push({ id: 'model', weight, evidence });
  return a.risk;
}

// ---------------------------------------------------------------------------------------------
// Repeat contact and unresolved complaints.

export interface ContactQuery {
  authorKey: string;
  /** Inclusive ISO bounds on publishedAt. */
  since: string;
  until: string;
}

/**
 * The stage's window on stored feedback for repeat contact. Deliberately narrow: ids only, capped,
 * so the store can answer from an index on (author key, publishedAt).
 */
export interface ContactHistory {
  /** For each query, the ids of stored items with that author key published within [since, until], at most `limit`. */
  recentByAuthor(queries: readonly ContactQuery[], limit: number): Promise<string[][]>;
}


/**
 * Contacts (this item included) by the same author within the window: stored ones plus those of the
 * batch published in [publishedAt − window, publishedAt], counted by distinct id. The batch is grouped
 * by author key and each group swept once in time order, so a large batch costs O(n log n), not O(n²).
 */
async function contactCounts(batch: readonly Draft[], times: readonly number[], config: Config, history: ContactHistory | undefined): Promise<number[]> {
  const { window, contacts } = config.escalation.signals.repeatContact;
  const keys = batch.map(authorKeyOf);
  const at: number[] = [];
  for (let i = 0; i < batch.length; i++) if (keys[i]) at.push(i);
  const queries: ContactQuery[] = at.map((i) => ({
    authorKey: keys[i]!, since: new Date(times[i]! - window).toISOString(), until: new Date(times[i]!).toISOString(),
  }));
  const stored = history && queries.length ? await history.recentByAuthor(queries, contacts * 4) : [];
  const storedOf = new Map(at.map((i, q) => [i, stored[q] ?? []] as const));
  const groups = new Map<string, number[]>();
  for (const i of at) (groups.get(keys[i]!) ?? groups.set(keys[i]!, []).get(keys[i]!)!).push(i);
  const counts = new Array<number>(batch.length).fill(0);
  for (const group of groups.values()) countGroup(group, batch, times, window, storedOf, counts);
  return counts;
}

/**
 * One author's items: a sliding window over them in time order keeps how many items of the window
 * carry each id, so each item's count is the window's distinct ids plus its stored ids not among them.
 */
function countGroup(group: readonly number[], batch: readonly Draft[], times: readonly number[], window: number, storedOf: ReadonlyMap<number, readonly string[]>, counts: number[]): void {
  const order = [...group].sort((a, b) => times[a]! - times[b]!);
  const inWindow = new Map<string, number>();
  const move = (k: number, by: 1 | -1) => {
    const id = batch[order[k]!]!.id;
    const n = (inWindow.get(id) ?? 0) + by;
    if (n === 0) inWindow.delete(id);
    else inWindow.set(id, n);
  };
  let lo = 0;
  let hi = 0;
  for (const i of order) {
    const until = times[i]!;
    for (; hi < order.length && times[order[hi]!]! <= until; hi++) move(hi, 1);
    for (; lo < hi && times[order[lo]!]! < until - window; lo++) move(lo, -1);
    const storedOnly = new Set(storedOf.get(i)!.filter((id) => !inWindow.has(id)));
    // The window holds this item itself, so its id is among the window's and counted once.
    counts[i] = inWindow.size + storedOnly.size;
  }
}

function repeatSignal(d: Draft, count: number, config: Config, out: EscalationSignal[]): void {
  const s = config.escalation.signals.repeatContact;
  if (count < s.contacts) return;
  const who = d.customerRef ? 'customer' : 'author';
  out.push({ id: 'repeatContact', weight: s.weight, evidence: `${count} contacts from this ${who} in ${spoken(s.window)}` });
}

function unresolvedSignal(d: Draft, publishedAt: number, config: Config, now: Date, out: EscalationSignal[]): void {
  const s = config.escalation.signals.unresolved;
  const isComplaint = d.analysis.complaint?.is || d.channel === 'complaint' || d.channel === 'regulator';
  if (!isComplaint) return;
  const age = now.getTime() - publishedAt;
  if (!(age >= s.after)) return;
  const key = s.statusKeys.find((k) => d.dimensions?.[k] !== undefined && d.dimensions[k]!.trim() !== '');
  const status = key ? d.dimensions![key]!.trim() : undefined;
  if (status === undefined && !s.assumeOpen) return;
  if (status !== undefined && s.resolved.some((r) => status.toLowerCase().startsWith(r.toLowerCase()))) return;
  const days = Math.floor(age / DAY_MS);
  out.push({ id: 'unresolved', weight: s.weight, evidence: `unresolved for ${days} day${days === 1 ? '' : 's'} (${status === undefined ? 'no status' : `status "${status}"`})` });
}

// ---------------------------------------------------------------------------------------------

/** The score of a set of signals. Noisy-OR: each alone could warrant escalation; together they reinforce without passing 1. */
export function combine(signals: readonly EscalationSignal[], config: Config): Escalation {
  return scored([...signals], config);
}

/** combine() over an array of the caller's own, which the result keeps. */
function scored(signals: EscalationSignal[], config: Config): Escalation {
  let keep = 1;
  for (const sig of signals) keep *= 1 - Math.min(1, Math.max(0, sig.weight));
  const score = round3(1 - keep);
  return { score, level: levelFor(score, config.escalation.levels), signals };
}

/**
 * Item i's escalation from the rules alone, plus any `extra` signals (model, contacts, age). `risk`:
 * the trained model's risk for the item, which scales the hostility signals (else its sentiment does).
 */
export function escalate(texts: BatchText, i: number, config: Config, extra: readonly EscalationSignal[] = [], risk?: number): Escalation {
  const signals: EscalationSignal[] = [];
  keywordSignals(texts, i, config, signals);
  const grievance = grievanceOf(texts.draft(i), config, risk);
  if (grievance) {
    hostileSignals(texts, i, config, grievance, signals);
    shoutingSignal(texts.text(i), config, grievance, signals);
  }
  factSignals(texts.draft(i), config, risk !== undefined, signals);
  for (const e of extra) signals.push(e);
  return scored(signals, config);
}

export interface EscalationStageOptions {
  /** A trained model (models.escalation); its risk becomes the `model` signal. */
  model?: EscalationModel;
  /** Stored feedback by author, for repeat contact; without it only the batch itself is counted. */
  contacts?: ContactHistory;
}

/**
 * Escalation risk: regulator, legal, media and churn words (English and Chinese); hostility towards
 * the company (speaking to it, accusing, insulting, demanding, shouting) scaled by the model's risk or
 * the sentiment; the author's reach, virality, strongly negative sentiment, low survey scores, a
 * trained model's risk, repeat contact and complaints left unresolved, each with the evidence that
 * raised it. Runs after sentiment.
 */
export function escalationStage(opts: EscalationStageOptions = {}): Stage {
  const versions: Record<string, string> = opts.model ? { escalation: ESCALATION_VERSION, escalationModel: opts.model.version } : { escalation: ESCALATION_VERSION };
  return {
    name: 'escalation',
    async run(batch, { config, now }) {
      const texts = BatchText.of(batch);
      const times = publishedTimes(batch);
      const counts = await contactCounts(batch, times, config, opts.contacts);
      batch.forEach((d, i) => {
        const extra: EscalationSignal[] = [];
        const risk = opts.model ? modelSignal(texts, i, config, opts.model, extra) : undefined;
        repeatSignal(d, counts[i]!, config, extra);
        unresolvedSignal(d, times[i]!, config, now, extra);
        d.analysis.escalation = escalate(texts, i, config, extra, risk);
        setVersions(d, versions);
      });
      return batch;
    },
  };
}
