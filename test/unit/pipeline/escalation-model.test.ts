import { describe, expect, test } from 'vitest';
import type { Config } from '../../../config/schema.ts';
import { ClassifierBundle } from '../../../pipeline/stages/topics.ts';
import { ESCALATION_CHAR_VIEW, ESCALATION_TRAINING, escalationModelOf, escalationStage, gatedLevel, gatedRisk, orderLevels, trainEscalationBundle } from '../../../pipeline/stages/escalation.ts';
import { defaultStages } from '../../../pipeline/stages/index.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { config, draft as rawDraft, run } from './helpers.ts';

/** A draft whose language is known, as the language stage leaves it. */
const draft = (input: Parameters<typeof rawDraft>[0] & { lang?: 'en' | 'zh' }) => {
  const { lang, ...rest } = input;
  return Object.assign(rawDraft(rest), { lang: lang ?? 'en' });
};

const FILLER = ['my', 'order', 'the', 'parcel', 'today', 'again', 'account', 'with', 'please', 'app'];
const WORDS: Record<string, string[]> = {
  '0': ['question', 'wondering', 'hello', 'info', 'thanks'],
  '1': ['waiting', 'issue', 'problem', 'stuck', 'help'],
  '2': ['annoyed', 'disappointed', 'unhappy', 'frustrated', 'poor'],
  '3': ['disgraceful', 'scandalous', 'thieves', 'liars', 'outrageous'],
};

/** Severity 0–3: each text has two words of its level among filler. */
function severityExamples(n: number): Array<{ text: string; label: string }> {
  return Array.from({ length: n }, (_, i) => {
    const label = String(i % 4);
    const w = WORDS[label]!;
    const text = [FILLER[i % 10], w[i % 5], FILLER[(i * 3) % 10], w[(i * 7 + 2) % 5], FILLER[(i * 7) % 10]].join(' ');
    return { text, label };
  });
}

const bundle = trainEscalationBundle(severityExamples(400), { task: 'escalation', logreg: { epochs: 8 } });
const model = escalationModelOf({ en: bundle })!;

describe('escalation model', () => {
  test('orders numeric, level-name and no/yes labels lowest first, and refuses labels it cannot order', () => {
    expect(orderLevels(['2', '10', '0', '1'])).toEqual(['0', '1', '2', '10']);
    expect(orderLevels(['high', 'low', 'critical', 'medium'])).toEqual(['low', 'medium', 'high', 'critical']);
    expect(orderLevels(['complaint', 'not_complaint'])).toEqual(['not_complaint', 'complaint']);
    expect(() => orderLevels(['angry', 'calm', 'bored'])).toThrow(/cannot order/);
  });

  test('is a gate plus one conditional part per higher level, and ranks the severe above the mild', () => {
    expect(bundle.labels).toEqual(['0', '1', '2', '3']);
    expect(bundle.parts.map((p) => p.id)).toEqual(['ge:1', 'ge:2', 'ge:3']);
    const risk = (t: string) => gatedRisk(bundle.probabilities(t));
    expect(risk('my order disgraceful thieves today')).toBeGreaterThan(risk('my order annoyed poor today'));
    expect(risk('my order annoyed poor today')).toBeGreaterThan(risk('hello my order question today'));
    expect(gatedLevel(bundle, bundle.probabilities('the parcel liars outrageous again'))).toBe('3');
    expect(gatedLevel(bundle, bundle.probabilities('hello question about the app'))).toBe('0');
  });

  test('trains with the escalation features and L2 unless the caller sets them', () => {
    for (const p of bundle.parts) expect(p.clf.featureOptions).toMatchObject(ESCALATION_TRAINING.featureOptions);
    const own = trainEscalationBundle(severityExamples(80), { task: 'escalation', featureOptions: { enBigrams: true }, logreg: { epochs: 2 } });
    expect(own.parts[0]!.clf.featureOptions).toMatchObject({ enBigrams: true, enLexicon: true });
  });

  test('has a character view of the same parts, with its own settings, and gives the mean of both views', () => {
    expect(bundle.views.length).toBe(2);
    const [words, chars] = bundle.views;
    expect(chars!.map((p) => p.id)).toEqual(words!.map((p) => p.id));
    for (const p of chars!) expect(p.clf.featureOptions).toMatchObject(ESCALATION_CHAR_VIEW.featureOptions);
    // The caller's feature options are the word view's; the character view keeps its own.
    const own = trainEscalationBundle(severityExamples(80), { task: 'escalation', featureOptions: { enBigrams: true }, logreg: { epochs: 2 } });
    expect(own.views[1]![0]!.clf.featureOptions).toMatchObject(ESCALATION_CHAR_VIEW.featureOptions);
    const one = (parts: typeof words) => new ClassifierBundle(bundle.task, bundle.kind, bundle.labels, parts!, {}, bundle.card);
    const text = 'my parcel is stuck, you are thieves!!';
    const pw = one(words).probabilities(text);
    const pc = one(chars).probabilities(text);
    expect(Array.from(bundle.probabilities(text))).toEqual(Array.from(pw).map((p, m) => expect.closeTo((p + pc[m]!) / 2, 12)));
    expect(pw[0]).not.toBeCloseTo(pc[0]!, 3);
  });

  test('a file with views says so in its format; one without loads as one view; a view with other parts or mixed features is refused, naming it', () => {
    const file = bundle.toFile();
    expect(file.format).toBe('allears-multiclf-2');
    const wordsOnly = new ClassifierBundle(bundle.task, bundle.kind, bundle.labels, bundle.parts, {}, bundle.card);
    expect(wordsOnly.toFile().format).toBe('allears-multiclf-1');
    const { views: _, ...older } = { ...file, format: 'allears-multiclf-1' as const };
    const loaded = ClassifierBundle.fromFile(older);
    expect(loaded.views.length).toBe(1);
    expect(Array.from(loaded.probabilities('thieves liars'))).toEqual(Array.from(wordsOnly.probabilities('thieves liars')));
    const renamed = { ...file, views: [file.views[0]!.map((p, m) => ({ ...p, id: m === 0 ? 'ge:9' : p.id }))] };
    expect(() => ClassifierBundle.fromFile(renamed, 'x.json')).toThrow(/^x\.json is not a valid allears-multiclf-2 file: views\[0\]: other parts than the first view/);
    const mixed = { ...file, views: [[file.parts[0]!, ...file.views[0]!.slice(1)]] };
    expect(() => ClassifierBundle.fromFile(mixed, 'x.json')).toThrow(/views\[0\]: part ge:2 has other feature options than part ge:1/);
    expect(() => ClassifierBundle.fromFile({ ...file, format: 'allears-multiclf-9' }, 'x.json')).toThrow(/x\.json is not a valid allears-multiclf-1 \/ allears-multiclf-2 file: format/);
  });

  test('read() gives probabilities() and weighs each word by taking it out of the word view alone', () => {
    const text = 'my parcel is stuck, you are thieves and liars!!';
    const reading = bundle.read(text);
    expect(Array.from(reading.probabilities)).toEqual(Array.from(bundle.probabilities(text)).map((p) => expect.closeTo(p, 12)));
    const wordsOnly = new ClassifierBundle(bundle.task, bundle.kind, bundle.labels, bundle.parts, {}, bundle.card);
    // Scored by the gate alone, the mean of two views is linear: the character view's term cancels,
    // and each word's weight is half what the word view alone gives it.
    const gate = (p: Float64Array) => p[0]!;
    const words = ['thieves', 'parcel', 'zzzz'];
    const both = reading.contributions(words, gate);
    const alone = wordsOnly.read(text).contributions(words, gate);
    both.forEach((c, k) => expect(c).toBeCloseTo(alone[k]! / 2, 12));
    expect(both[0]).toBeGreaterThan(both[1]!);
    expect(both[2]).toBe(0);
  });

  test('gatedRisk is the gate times the mean of the conditional parts', () => {
    expect(gatedRisk([0.5, 1, 0])).toBeCloseTo(0.25);
    expect(gatedRisk([0.8])).toBeCloseTo(0.8);
  });

  test('the model signal weighs config weight × risk, names the words that raised it, and the score is the noisy-OR', async () => {
    const [d] = await run([escalationStage({ model })], [draft({ text: 'my parcel is stuck, you are thieves and liars' })]);
    const e = d!.analysis.escalation!;
    const sig = e.signals.find((s) => s.id === 'model')!;
    const a = model.assess('my parcel is stuck, you are thieves and liars', 'en')!;
    expect(sig.weight).toBeCloseTo(config.escalation.signals.model.weight * a.risk, 3);
    expect(sig.evidence).toMatch(/^model risk 0\.\d+; words /);
    // The two words of the most severe level push hardest; filler words come after them, if at all.
    expect(sig.evidence).toMatch(/; words "(thieves|liars)" \+0\.\d+, "(thieves|liars)" \+0\.\d+/);
    expect(a.words.slice(0, 2).map((w) => w.word).sort()).toEqual(['liars', 'thieves']);
    expect(a.words.every((w) => w.contribution > 0)).toBe(true);
    const keep = e.signals.reduce((k, s) => k * (1 - s.weight), 1);
    expect(e.score).toBeCloseTo(1 - keep, 3);
    expect(d!.analysis.models.escalationModel).toBe(`en=${bundle.version}`);
  });

  test('a mild text gets a small or no model signal, and a language without a model gets none', async () => {
    const [mild, zh] = await run([escalationStage({ model })], [draft({ text: 'hello, a question about the app' }), draft({ text: '请问这个订单什么时候发货', lang: 'zh' })]);
    expect(mild!.analysis.escalation!.signals.find((s) => s.id === 'model')?.weight ?? 0).toBeLessThan(0.2);
    expect(zh!.analysis.escalation!.signals.find((s) => s.id === 'model')).toBeUndefined();
  });

  test('a signal below minWeight is left out', async () => {
    const strict: Config = { ...config, escalation: { ...config.escalation, signals: { ...config.escalation.signals, model: { weight: 0.9, minWeight: 0.99 } } } };
    const [d] = await run([escalationStage({ model })], [draft({ text: 'you are thieves and liars' })], { config: strict, fingerprints: { match: async () => new Map() }, now: new Date() });
    expect(d!.analysis.escalation!.signals.find((s) => s.id === 'model')).toBeUndefined();
  });

  test('survives a save and load, and the configured model file is used by the default stages', async () => {
    const t = tempDir();
    try {
      const file = `${t.dir}/escalation.json`;
      await bundle.save(file);
      const loaded = ClassifierBundle.load(file);
      expect(loaded.version).toBe(bundle.version);
      expect(Array.from(loaded.probabilities('thieves liars'))).toEqual(Array.from(bundle.probabilities('thieves liars')).map((p) => expect.closeTo(p, 6)));
      const withModel: Config = { ...config, models: { ...config.models, escalation: { en: file } } };
      const [d] = await run(defaultStages(withModel), [draft({ text: 'You are thieves and liars, disgraceful' })], { config: withModel, fingerprints: { match: async () => new Map() }, now: new Date() });
      expect(d!.analysis.escalation!.signals.map((s) => s.id)).toContain('model');
      const wrong: Config = { ...config, models: { ...config.models, topics: { en: file } } };
      expect(() => defaultStages(wrong)).toThrow(/models\.topics\.en: .*gated-ordinal model, not a topics model/);
    } finally {
      t.cleanup();
    }
  });
});
