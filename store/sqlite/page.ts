import { ValidationError } from '../../model/index.ts';
import type { DocValues } from './doc-values.ts';
import type { Candidates } from './selection.ts';

/**
 * Keyset pagination. A cursor names the last document of the page by its sort key, so the next
 * page starts strictly after it: no skips or repeats while nothing is written, and no deep OFFSET.
 * Time order: publishedAt desc, then rowid desc. Relevance: bm25 asc (lower is better), then rowid desc.
 */
export type CursorKey = { sort: 'time'; ms: number; rowid: number } | { sort: 'relevance'; score: number; rowid: number };

export function encodeCursor(key: CursorKey): string {
  const tuple = key.sort === 'time' ? ['t', key.ms, key.rowid] : ['r', key.score, key.rowid];
  return Buffer.from(JSON.stringify(tuple)).toString('base64url');
}

export function decodeCursor(cursor: string, sort: 'time' | 'relevance'): CursorKey {
  let tuple: unknown;
  try {
    tuple = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    tuple = undefined;
  }
  const kind = sort === 'time' ? 't' : 'r';
  const ok = Array.isArray(tuple) && tuple.length === 3 && tuple[0] === kind && typeof tuple[1] === 'number' && Number.isInteger(tuple[2]);
  if (!ok) {
    throw new ValidationError('invalid cursor', [{ path: 'cursor', message: 'is not a cursor returned by this search (or the sort changed)' }]);
  }
  const [, value, rowid] = tuple as [string, number, number];
  return sort === 'time' ? { sort, ms: value, rowid } : { sort, score: value, rowid };
}

export interface Page {
  /** Candidate positions of the page, best first. */
  positions: number[];
  /** Candidates after the cursor, including the page. */
  remaining: number;
}

/**
 * The `limit` best candidates after the cursor, with a bounded binary heap whose root is the worst
 * kept: O(n log limit), whatever order the rowids arrive in.
 */
export function topPage(dv: DocValues, c: Candidates, sort: 'time' | 'relevance', limit: number, after?: CursorKey): Page {
  const ms = dv.publishedMs;
  const { rowids } = c;
  const scores = c.scores;
  // better(i, j): candidate i sorts before candidate j.
  const better = sort === 'relevance' && scores
    ? (i: number, j: number) => scores[i]! < scores[j]! || (scores[i] === scores[j] && rowids[i]! > rowids[j]!)
    : (i: number, j: number) => ms[rowids[i]!]! > ms[rowids[j]!]! || (ms[rowids[i]!] === ms[rowids[j]!] && rowids[i]! > rowids[j]!);
  const isAfter = !after
    ? () => true
    : after.sort === 'relevance' && scores
      ? (i: number) => scores[i]! > after.score || (scores[i] === after.score && rowids[i]! < after.rowid)
      : after.sort === 'time'
        ? (i: number) => ms[rowids[i]!]! < after.ms || (ms[rowids[i]!] === after.ms && rowids[i]! < after.rowid)
        : () => true;

  const heap: number[] = [];
  let remaining = 0;
  const siftDown = (k: number): void => {
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let worst = k;
      if (l < heap.length && better(heap[worst]!, heap[l]!)) worst = l;
      if (r < heap.length && better(heap[worst]!, heap[r]!)) worst = r;
      if (worst === k) return;
      [heap[k], heap[worst]] = [heap[worst]!, heap[k]!];
      k = worst;
    }
  };
  for (let i = 0; i < c.n; i++) {
    if (!isAfter(i)) continue;
    remaining++;
    if (heap.length < limit) {
      heap.push(i);
      for (let k = heap.length - 1; k > 0;) {
        const parent = (k - 1) >> 1;
        if (!better(heap[parent]!, heap[k]!)) break;
        [heap[k], heap[parent]] = [heap[parent]!, heap[k]!];
        k = parent;
      }
    } else if (better(i, heap[0]!)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  heap.sort((i, j) => (better(i, j) ? -1 : better(j, i) ? 1 : 0));
  return { positions: heap, remaining };
}

export function cursorFor(dv: DocValues, c: Candidates, sort: 'time' | 'relevance', position: number): string {
  const rowid = c.rowids[position]!;
  return sort === 'relevance' && c.scores
    ? encodeCursor({ sort: 'relevance', score: c.scores[position]!, rowid })
    : encodeCursor({ sort: 'time', ms: dv.publishedMs[rowid]!, rowid });
}
