import { AhoCorasick } from './aho-corasick.ts';
import { isCjk } from './chars.ts';
import { tokenizeEn, type EnToken } from './en-tokenizer.ts';

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
  }

  private addWords(key: string, entry: Entry): void {
    const stems = tokenizeEn(key).map((t) => t.stem);
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
  match(text: string, tokens?: readonly EnToken[]): KeywordHit[] {
    const hits: KeywordHit[] = [];
    const toks = tokens ?? tokenizeEn(text);
    const root = this.wordNext[0]!;
    for (let i = 0; i < toks.length; i++) {
      let s = root.get(toks[i]!.stem);
      for (let j = i; s !== undefined; ) {
        for (const e of this.wordOut[s]!) hits.push({ group: e.group, keyword: e.keyword, start: toks[i]!.start, end: toks[j]!.end });
        if (++j >= toks.length) break;
        s = this.wordNext[s]!.get(toks[j]!.stem);
      }
    }
    this.ac?.scan(text, (p, start, end) => {
      const e = this.acEntries[p]!;
      hits.push({ group: e.group, keyword: e.keyword, start, end });
    });
    return hits.length > 1 ? dropContained(hits) : hits;
  }

  /** Distinct keywords hit per group, indexed like `groups`. */
  countDistinct(hits: readonly KeywordHit[]): number[] {
    const counts = new Array<number>(this.groups.length).fill(0);
    for (let i = 0; i < hits.length; i++) {
      const k = hits[i]!.keyword;
      let seen = false;
      for (let j = 0; j < i && !seen; j++) seen = hits[j]!.keyword === k;
      if (!seen) counts[hits[i]!.group]!++;
    }
    return counts;
  }
}

/** Remove hits lying inside a longer hit of the same group. */
function dropContained(hits: KeywordHit[]): KeywordHit[] {
  // Most texts have no overlapping hits at all; find that out in one sorted pass.
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  let overlap = false;
  for (let i = 1; i < hits.length && !overlap; i++) overlap = hits[i]!.start < hits[i - 1]!.end;
  if (!overlap) return hits;
  let w = 0;
  outer: for (let i = 0; i < hits.length; i++) {
    const h = hits[i]!;
    // Sorted by start, then longest first: a hit containing h comes before it.
    for (let j = 0; j < i; j++) {
      const o = hits[j]!;
      if (o.group === h.group && o.end >= h.end && o.end - o.start > h.end - h.start) continue outer;
    }
    hits[w++] = h;
  }
  hits.length = w;
  return hits;
}
