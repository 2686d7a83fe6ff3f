import type { DocValues } from './doc-values.ts';
import type { Candidates, Scratch } from './selection.ts';

/**
 * Relevance scores, lower is better (FTS5's convention).
 *
 * FTS5's bm25() costs ~3 µs per matching row, because it reads each row's sizes and positions: fine
 * for a selective query, 0.5 s for a word in a fifth of a million documents. Up to EXACT_LIMIT
 * matches the exact bm25 is used; beyond, a BM25 without term frequency (short posts rarely repeat a
 * word): each matched term weighs its IDF, damped by the document's length, so documents matching
 * more and rarer terms, then shorter ones, come first. Both depend only on the query and the data,
 * so pages stay consistent while nothing is written.
 */
export const EXACT_LIMIT = 10_000;

const K1 = 1.2;
const B = 0.75;

/** Gives each candidate the score of the same rowid in an (ascending) scored match list. */
export function exactScores(c: Candidates, matchRowids: Int32Array, matchScores: Float64Array): Float64Array {
  const out = new Float64Array(c.n);
  let j = 0;
  for (let i = 0; i < c.n; i++) {
    const r = c.rowids[i]!;
    while (j < matchRowids.length && matchRowids[j]! < r) j++;
    out[i] = matchRowids[j] === r ? matchScores[j]! : 0;
  }
  return out;
}

/**
 * @param leaves for each term a document may match: the ascending rowids matching it, or null when
 * every candidate matches it (no OR in the query).
 */
export function approximateScores(dv: DocValues, c: Candidates, leaves: readonly (Int32Array | null)[], totalMatches: readonly number[]): Float64Array {
  const n = c.n;
  const docs = Math.max(dv.count, 1);
  const avgLength = Math.max(dv.totalLength / docs, 1);
  const weight = new Float64Array(n);
  leaves.forEach((set, k) => {
    const df = totalMatches[k]!;
    const idf = Math.log(1 + (docs - df + 0.5) / (df + 0.5));
    if (!set) {
      for (let i = 0; i < n; i++) weight[i] = weight[i]! + idf;
      return;
    }
    let j = 0;
    for (let i = 0; i < n; i++) {
      const r = c.rowids[i]!;
      while (j < set.length && set[j]! < r) j++;
      if (set[j] === r) weight[i] = weight[i]! + idf;
    }
  });
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const norm = 1 - B + (B * dv.length[c.rowids[i]!]!) / avgLength;
    out[i] = -(weight[i]! * (K1 + 1)) / (1 + K1 * norm);
  }
  return out;
}

/** Parses group_concat(rowid) output ("3,17,42") into rowids, sorted ascending; `work` is scratch space. */
export function parseRowids(list: string | null, scratch: Scratch): Int32Array {
  if (list === null || list === '') return new Int32Array(0);
  const out = scratch.ints((list.length >> 1) + 1);
  let n = 0;
  let v = 0;
  let sorted = true;
  for (let i = 0; i < list.length; i++) {
    const ch = list.charCodeAt(i);
    if (ch === 44) {
      if (n > 0 && v < out[n - 1]!) sorted = false;
      out[n++] = v;
      v = 0;
    } else v = v * 10 + ch - 48;
  }
  if (n > 0 && v < out[n - 1]!) sorted = false;
  out[n++] = v;
  const rowids = out.slice(0, n);
  // FTS5 returns rowids ascending; sort anyway rather than rely on group_concat's order.
  return sorted ? rowids : rowids.sort();
}

/** Union of ascending rowid lists, ascending. */
export function union(lists: readonly Int32Array[]): Int32Array {
  return lists.reduce((a, b) => {
    const out = new Int32Array(a.length + b.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < a.length && j < b.length) {
      const x = a[i]!;
      const y = b[j]!;
      out[n++] = x <= y ? x : y;
      if (x <= y) i++;
      if (y <= x) j++;
    }
    while (i < a.length) out[n++] = a[i++]!;
    while (j < b.length) out[n++] = b[j++]!;
    return out.slice(0, n);
  }, new Int32Array(0));
}
