import type { Filters } from '../../model/index.ts';
import type { CodeArray } from './columns.ts';
import type { DocValues } from './doc-values.ts';

/**
 * The documents a query selects: rowids (and bm25 scores when ranking) in the first `n` slots.
 * Filters run column at a time, each compacting the arrays in place — tight monomorphic loops over
 * typed arrays rather than one predicate call per document.
 */
export interface Candidates {
  rowids: Int32Array;
  scores: Float64Array | null;
  n: number;
}

export function allDocuments(dv: DocValues): Candidates {
  const rowids = new Int32Array(dv.maxRowid);
  let n = 0;
  const present = dv.present;
  for (let r = 1; r <= dv.maxRowid; r++) if (present[r] === 1) rowids[n++] = r;
  return { rowids, scores: null, n };
}

/** Full-text matches, copied (the caller may cache its arrays) and limited to known documents. */
export function matchedDocuments(dv: DocValues, rowids: Int32Array, scores: Float64Array | null): Candidates {
  const out = new Int32Array(rowids.length);
  const outScores = scores ? new Float64Array(rowids.length) : null;
  let n = 0;
  for (let i = 0; i < rowids.length; i++) {
    const r = rowids[i]!;
    if (r <= dv.maxRowid && dv.present[r] === 1) {
      out[n] = r;
      if (outScores) outScores[n] = scores![i]!;
      n++;
    }
  }
  return { rowids: out, scores: outScores, n };
}

function keep(c: Candidates, test: (rowid: number) => boolean): void {
  const { rowids, scores } = c;
  let j = 0;
  for (let i = 0; i < c.n; i++) {
    const r = rowids[i]!;
    if (test(r)) {
      rowids[j] = r;
      if (scores) scores[j] = scores[i]!;
      j++;
    }
  }
  c.n = j;
}

function keepCodes(c: Candidates, codes: CodeArray, allowed: Uint8Array): void {
  const { rowids, scores } = c;
  let j = 0;
  for (let i = 0; i < c.n; i++) {
    const r = rowids[i]!;
    if (allowed[codes[r]!] === 1) {
      rowids[j] = r;
      if (scores) scores[j] = scores[i]!;
      j++;
    }
  }
  c.n = j;
}

type ListFilter = 'channel' | 'source' | 'initiator' | 'sentiment' | 'journey' | 'touchpoint' | 'escalationLevel' | 'lang' | 'surveyMetric';
const LIST_FILTERS: readonly ListFilter[] = [
  'channel', 'source', 'initiator', 'sentiment', 'journey', 'touchpoint', 'escalationLevel', 'lang', 'surveyMetric',
];

/** Narrows the candidates to those passing every filter. An empty list of values means "any". */
export function applyFilters(dv: DocValues, f: Filters, c: Candidates): void {
  if (!f.includeDuplicates) {
    const dup = dv.duplicate;
    keep(c, (r) => dup[r] === 0);
  }
  if (f.from !== undefined || f.to !== undefined) {
    const from = f.from === undefined ? -Infinity : Date.parse(f.from);
    const to = f.to === undefined ? Infinity : Date.parse(f.to);
    const ms = dv.publishedMs;
    keep(c, (r) => ms[r]! >= from && ms[r]! < to);
  }
  for (const field of LIST_FILTERS) {
    const values = f[field];
    if (!values || values.length === 0) continue;
    const col = dv.single.get(field)!;
    keepCodes(c, col.codes, col.dict.allowTable(values));
  }
  if (f.complaint !== undefined) {
    const col = dv.single.get('complaint')!;
    keepCodes(c, col.codes, col.dict.allowTable([String(f.complaint)]));
  }
  if (f.topic && f.topic.length > 0) {
    const allowed = dv.topic.dict.allowTable(f.topic);
    const { slots, overflow } = dv.topic;
    keep(c, (r) => {
      let last = 0;
      for (const slot of slots) {
        last = slot[r]!;
        if (allowed[last] === 1) return true;
      }
      // Only a document with every slot full can have more topics in the overflow.
      return last !== 0 && (overflow.get(r)?.some((code) => allowed[code] === 1) ?? false);
    });
  }
  for (const [key, values] of Object.entries(f.dimensions ?? {})) {
    if (values.length === 0) continue;
    const col = dv.dims.get(key);
    if (!col) c.n = 0;
    else keepCodes(c, col.codes, col.dict.allowTable(values));
  }
}
