import type { Config } from '../../config/schema.ts';
import type { Analysis } from '../../model/index.ts';
import { tokenizeEn, type EnTokens } from '../nlp/en-tokenizer.ts';
import type { Draft } from '../stage.ts';

/**
 * Stages fill in the drafts they are given and return the same batch array. The runner owns the
 * drafts and keeps no other reference to them; copying each ~30-field record at every stage cost
 * about 20 µs per item, a third of the budget for all stages.
 */
export function setAnalysis(d: Draft, patch: Partial<Analysis>, models: Record<string, string>): Draft {
  Object.assign(d.analysis, patch);
  setVersions(d, models);
  return d;
}

/**
 * Record the versions a stage used. Stages on the hot path write their analysis field directly and
 * call this, rather than building a patch object per item for setAnalysis.
 */
export function setVersions(d: Draft, models: Readonly<Record<string, string>>): void {
  const m = d.analysis.models;
  for (const k in models) m[k] = models[k]!;
}

/**
 * The text the analysis stages read: title, text and a survey comment the text does not already
 * hold. A line break separates them so that negation and phrases do not run across.
 */
export function joinText(d: Pick<Draft, 'title' | 'text' | 'survey'>): string {
  const comment = d.survey?.comment;
  let s = d.title ? `${d.title}\n${d.text}` : d.text;
  if (comment && !d.text.includes(comment)) s += `\n${comment}`;
  return s;
}

interface Entry {
  draft: Draft;
  title: string | undefined;
  text: string;
  comment: string | undefined;
  joined: string;
  tokens: EnTokens | null;
  /** One derived value and what it was derived with (the config's keyword hits). */
  memoKey: object | null;
  memoValue: unknown;
}

/**
 * What several stages derive from each draft's text — the joined analysis text, its English
 * tokens, the config's keyword hits — computed once per batch. Entries check that the draft and
 * its text are unchanged (redact rewrites text), so a stale value is never used.
 */
export class BatchText {
  private static readonly views = new WeakMap<readonly Draft[], BatchText>();
  private readonly entries: Array<Entry | undefined>;

  private constructor(private readonly batch: readonly Draft[]) {
    this.entries = new Array<Entry | undefined>(batch.length);
  }

  /** The view of this batch array; stages return the array they got, so the view carries over. */
  static of(batch: readonly Draft[]): BatchText {
    let v = BatchText.views.get(batch);
    if (v === undefined || v.entries.length !== batch.length) {
      v = new BatchText(batch);
      BatchText.views.set(batch, v);
    }
    return v;
  }

  private entry(i: number): Entry {
    const d = this.batch[i]!;
    const comment = d.survey?.comment;
    let e = this.entries[i];
    if (e === undefined || e.draft !== d || e.text !== d.text || e.title !== d.title || e.comment !== comment) {
      e = { draft: d, title: d.title, text: d.text, comment, joined: joinText(d), tokens: null, memoKey: null, memoValue: undefined };
      this.entries[i] = e;
    }
    return e;
  }

  draft(i: number): Draft {
    return this.batch[i]!;
  }

  text(i: number): string {
    return this.entry(i).joined;
  }

  /** tokenizeEn(text(i)). */
  tokens(i: number): EnTokens {
    const e = this.entry(i);
    e.tokens ??= tokenizeEn(e.joined);
    return e.tokens;
  }

  /** A value derived from text(i) with `key` (e.g. the config), computed once. */
  memo<T>(i: number, key: object, compute: () => T): T {
    const e = this.entry(i);
    if (e.memoKey !== key) {
      e.memoValue = compute();
      e.memoKey = key;
    }
    return e.memoValue as T;
  }
}

/** Build something from the config once (matchers, lookup tables) and reuse it for every batch. */
export function perConfig<T>(build: (config: Config) => T): (config: Config) => T {
  const memo = new WeakMap<Config, T>();
  return (config) => {
    let v = memo.get(config);
    if (v === undefined) {
      v = build(config);
      memo.set(config, v);
    }
    return v;
  };
}

/** Date.parse of each draft's publishedAt; a batch often shares one (a file's lines), parsed once. */
export function publishedTimes(batch: readonly Draft[]): number[] {
  const times = new Array<number>(batch.length);
  let last: string | undefined;
  let t = NaN;
  for (let i = 0; i < batch.length; i++) {
    const p = batch[i]!.publishedAt;
    if (p !== last) {
      last = p;
      t = Date.parse(p);
    }
    times[i] = t;
  }
  return times;
}
