import { AhoCorasick } from './aho-corasick.ts';
import { isCjk } from './chars.ts';
import { tokenizeEn, type EnTokens } from './en-tokenizer.ts';

/** Some character from the start of the CJK blocks on: without one, no keyword with a CJK character can match. */
function mayHoldCjk(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x2e80) return true;
  return false;
}

/** A named list of keywords in English and Chinese, as in the taxonomy and escalation config. */
export interface KeywordGroup {
  id: string;
  keywords: { en?: readonly string[]; zh?: readonly string[] };
}

export interface KeywordHit {
  /** Index into `matcher.groups`. */
  group: number;
  /** Index into `matcher.keywords` (the keyword as configured). */
  keyword: number;
  /** Offsets of the match in the text. */
  start: number;
  end: number;
}

interface Entry {
  group: number;
  keyword: number;
}

/**
 * All keywords of several groups compiled once into two automata:
 *  - keywords written in Latin script (whichever list they sit in, e.g. "app", "12315") match whole
 *    words, compared by stem, so "delay" matches "delays" and "delayed", and "12315" never matches
 *    inside a longer number;
 *  - keywords containing CJK characters match as substrings (Aho-Corasick).
 * A hit inside a longer hit of the same group is dropped ("不发货" is not also "发货").
 */
export class KeywordMatcher {
  readonly groups: readonly string[];
  readonly keywords: readonly string[];
  private readonly wordNext: Map<string, number>[] = [new Map()];
  private readonly wordOut: Entry[][] = [[]];
  private readonly ac: AhoCorasick | null;
  private readonly acEntries: Entry[] = [];
  // Scratch for match() and countDistinct(), reset after each use (calls are synchronous).
  private readonly reach: Int32Array;
  private readonly seen: Uint8Array;

  constructor(groups: readonly KeywordGroup[]) {
    this.groups = groups.map((g) => g.id);
    const keywords: string[] = [];
    const cjkPatterns: string[] = [];
    groups.forEach((g, group) => {
      const seen = new Set<string>();
      for (const raw of [...(g.keywords.en ?? []), ...(g.keywords.zh ?? [])]) {
        const kw = raw.trim();
        const key = kw.toLowerCase();
        if (!kw || seen.has(key)) continue;
        seen.add(key);
        const entry = { group, keyword: keywords.push(kw) - 1 };
        if ([...key].some((ch) => isCjk(ch.charCodeAt(0)))) {
          cjkPatterns.push(key);
          this.acEntries.push(entry);
        } else this.addWords(key, entry);
      }
    });
    this.keywords = keywords;
    this.ac = cjkPatterns.length ? new AhoCorasick(cjkPatterns) : null;
    this.reach = new Int32Array(groups.length).fill(-1);
    this.seen = new Uint8Array(keywords.length);
  }

  private addWords(key: string, entry: Entry): void {
    const stems = tokenizeEn(key).lex.map((l) => l.stem);
    if (!stems.length) return;
    let s = 0;
    for (const stem of stems) {
      let t = this.wordNext[s]!.get(stem);
      if (t === undefined) {
        t = this.wordNext.push(new Map()) - 1;
        this.wordOut.push([]);
        this.wordNext[s]!.set(stem, t);
      }
      s = t;
    }
    // "shipped" and "shipping" share a stem: one piece of evidence, not two.
    if (!this.wordOut[s]!.some((e) => e.group === entry.group)) this.wordOut[s]!.push(entry);
  }

  /** Every keyword occurrence in `text`; pass `tokens` (tokenizeEn of the same text) when already at hand. */
  match(text: string, tokens?: EnTokens): KeywordHit[] {
    const hits: KeywordHit[] = [];
    const toks = tokens ?? tokenizeEn(text);
    const root = this.wordNext[0]!;
    for (let i = 0; i < toks.length; i++) {
      let s = root.get(toks.stem(i));
      for (let j = i; s !== undefined; ) {
        for (const e of this.wordOut[s]!) hits.push({ group: e.group, keyword: e.keyword, start: toks.start(i), end: toks.end(j) });
        if (++j >= toks.length) break;
        s = this.wordNext[s]!.get(toks.stem(j));
      }
    }
    if (this.ac !== null && mayHoldCjk(text)) this.ac.scan(text, (p, start, end) => {
      const e = this.acEntries[p]!;
      hits.push({ group: e.group, keyword: e.keyword, start, end });
    });
    return hits.length > 1 ? this.dropContained(hits) : hits;
  }

  /** Distinct keywords hit per group, indexed like `groups`. */
  countDistinct(hits: readonly KeywordHit[]): number[] {
    const counts = new Array<number>(this.groups.length).fill(0);
    const seen = this.seen;
    for (const h of hits) {
      if (seen[h.keyword]) continue;
      seen[h.keyword] = 1;
      counts[h.group]!++;
    }
    for (const h of hits) seen[h.keyword] = 0;
    return counts;
  }

  /** Remove hits lying inside a longer hit of the same group, in O(h log h) for texts with many hits. */
  private dropContained(hits: KeywordHit[]): KeywordHit[] {
    // Sorted by start, then longest first: any hit containing h comes before it, so h is contained
    // exactly when an earlier hit of its group reaches at least as far. Word hits usually arrive sorted.
    let sorted = true;
    for (let i = 1; i < hits.length && sorted; i++) sorted = byStartThenLongest(hits[i - 1]!, hits[i]!) <= 0;
    if (!sorted) hits.sort(byStartThenLongest);
    const reach = this.reach;
    let w = 0;
    for (const h of hits) {
      if (reach[h.group]! >= h.end) continue;
      reach[h.group] = h.end;
      hits[w++] = h;
    }
    hits.length = w;
    for (const h of hits) reach[h.group] = -1;
    return hits;
  }
}

function byStartThenLongest(a: KeywordHit, b: KeywordHit): number {
  return a.start - b.start || b.end - a.end;
}
