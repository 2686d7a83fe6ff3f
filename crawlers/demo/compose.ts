import type { Channel } from '../../model/index.ts';
import type { EscalationKind, PhraseBank, ScenarioId, ScenarioPhrases } from './phrases.ts';
import type { Rng } from './prng.ts';
import { fill, type Slots } from './slots.ts';

export interface PostParts {
  title?: string;
  text: string;
}

export interface ComposeOptions {
  /** Escalation sentences to add, e.g. ['regulator'] or ['legal', 'churn']. */
  escalations: readonly EscalationKind[];
  pii: boolean;
  /** Signs off e-mails. */
  authorName: string;
}

const END_EN = /[.!?)"':]$/;
const END_ZH = /[。！？!?）”：]$/;

/** One-liners are written without a final stop; add one before another sentence follows. */
function closeSentence(s: string, bank: PhraseBank): string {
  if (bank.sep === '') return END_ZH.test(s) ? s : `${s}。`;
  return END_EN.test(s) ? s : `${s}.`;
}

function join(parts: string[], bank: PhraseBank, slots: Slots): string {
  if (parts.length === 1) return fill(parts[0]!, slots);
  let out = '';
  for (let i = 0; i < parts.length; i++) out += (i ? bank.sep : '') + closeSentence(parts[i]!, bank);
  return fill(out, slots);
}

/** Pushes `k` different entries of `list` (k ≤ list length) onto `out`. */
function pushDistinct(rng: Rng, list: readonly string[], k: number, out: string[]): void {
  let mask = 0;
  for (let n = 0; n < Math.min(k, list.length); ) {
    const i = Math.floor(rng.next() * list.length);
    if (mask & (1 << i)) continue;
    mask |= 1 << i;
    out.push(list[i]!);
    n++;
  }
}

function opener(rng: Rng, bank: PhraseBank, scenario: ScenarioId, chance: number, out: string[]): void {
  if (scenario !== 'question' && rng.chance(chance)) out.push(rng.pick(scenario === 'praise' ? bank.openers.positive : bank.openers.negative));
}

function narrative(rng: Rng, p: ScenarioPhrases, minDetails: number, maxDetails: number, askChance: number, out: string[]): void {
  out.push(rng.pick(p.bodies));
  pushDistinct(rng, p.details, rng.int(minDetails, maxDetails), out);
  if (rng.chance(askChance)) out.push(rng.pick(p.asks));
}

function closing(rng: Rng, bank: PhraseBank, opts: ComposeOptions, out: string[]): void {
  for (const kind of opts.escalations) out.push(rng.pick(bank.escalation[kind]));
  if (opts.pii) out.push(rng.pick(bank.pii));
}

/** A post as it would be written on `channel`: short and loose on social, long and formal to a regulator. */
export function composePost(rng: Rng, bank: PhraseBank, scenario: ScenarioId, channel: Channel, slots: Slots, opts: ComposeOptions): PostParts {
  const p = bank.scenarios[scenario];
  const parts: string[] = [];
  switch (channel) {
    case 'social': {
      parts.push(rng.pick(p.short));
      if (rng.chance(0.2)) parts.push(rng.pick(p.details));
      closing(rng, bank, opts, parts);
      let text = join(parts, bank, slots);
      // Weibo puts the @mention at the end, Twitter-style posts at the start.
      if (rng.chance(0.6)) text = bank.sep === '' ? `${text} ${rng.pick(bank.mentions)}` : `${rng.pick(bank.mentions)} ${text}`;
      if (scenario !== 'praise' && scenario !== 'question' && rng.chance(0.25)) text = `${text} ${rng.pick(bank.hashtags)}`;
      return { text };
    }
    case 'chat': {
      parts.push(rng.pick(p.short));
      closing(rng, bank, opts, parts);
      const text = join(parts, bank, slots);
      return { text: rng.chance(0.4) ? `${rng.pick(bank.greetings)}${bank.sep}${text}` : text };
    }
    case 'review':
      opener(rng, bank, scenario, 0.3, parts);
      narrative(rng, p, 0, 2, 0.5, parts);
      closing(rng, bank, opts, parts);
      return { title: fill(rng.pick(p.titles), slots), text: join(parts, bank, slots) };
    case 'forum':
      opener(rng, bank, scenario, 0.5, parts);
      narrative(rng, p, 1, 2, 0.8, parts);
      closing(rng, bank, opts, parts);
      return { title: fill(rng.pick(p.titles), slots), text: join(parts, bank, slots) };
    case 'email': {
      narrative(rng, p, 1, 2, 0.9, parts);
      closing(rng, bank, opts, parts);
      const body = join(parts, bank, slots);
      return { title: fill(rng.pick(p.titles), slots), text: `${rng.pick(bank.greetings)}\n\n${body}\n\n${rng.pick(bank.signoffs)}\n${opts.authorName}` };
    }
    case 'regulator': {
      const title = fill(rng.pick(p.titles), slots);
      slots.set('title', title);
      const header = fill(rng.pick(bank.regulatorHeaders), slots);
      narrative(rng, p, 2, 4, 1, parts);
      closing(rng, bank, opts, parts);
      return { title, text: `${header}\n\n${join(parts, bank, slots)}` };
    }
    default:
      // Complaint inboxes and web forms: the long, detailed account.
      narrative(rng, p, 1, 3, 0.9, parts);
      closing(rng, bank, opts, parts);
      return { title: fill(rng.pick(p.titles), slots), text: join(parts, bank, slots) };
  }
}
