import { ValidationError } from '../../model/index.ts';
import type { DocValues } from './doc-values.ts';
import type { Candidates } from './selection.ts';

/**
 * Keyset pagination. A cursor names the last document of a page by its sort key, so the next page
 * starts strictly after it: no skips or repeats while nothing is written, and no deep OFFSET.
 * Time order: publishedAt desc, then rowid desc. Relevance: score asc (lower is better), then rowid desc.
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
  /** Candidates after the cursor, the page included. */
  remaining: number;
}

/**
 * The `limit` best candidates after the cursor. Both orders become "larger key first, then larger
 * rowid" (key = publishedAt, or −score), so one loop serves both; a bounded heap whose root is the
 * worst kept makes it O(n log limit) whatever order the candidates arrive in.
 */
export function topPage(dv: DocValues, c: Candidates, limit: number, after?: CursorKey): Page {
  const { rowids, n, scores } = c;
  const ms = dv.publishedMs;
  const keyOf = scores ? (i: number) => -scores[i]! : (i: number) => ms[rowids[i]!]!;
  const afterKey = after === undefined ? Infinity : after.sort === 'time' ? after.ms : -after.score;
  const afterRowid = after === undefined ? Infinity : after.rowid;

  const heap = new Int32Array(limit);
  const heapKey = new Float64Array(limit);
  let size = 0;
  let remaining = 0;
  // worse(a, b): the candidate in heap slot a sorts after the one in slot b.
  const worse = (a: number, b: number): boolean =>
    heapKey[a]! < heapKey[b]! || (heapKey[a] === heapKey[b] && rowids[heap[a]!]! < rowids[heap[b]!]!);
  const swap = (a: number, b: number): void => {
    const i = heap[a]!;
    heap[a] = heap[b]!;
    heap[b] = i;
    const k = heapKey[a]!;
    heapKey[a] = heapKey[b]!;
    heapKey[b] = k;
  };
  for (let i = 0; i < n; i++) {
    const k = keyOf(i);
    const r = rowids[i]!;
    if (!(k < afterKey || (k === afterKey && r < afterRowid))) continue;
    remaining++;
    if (size < limit) {
      let at = size++;
      heap[at] = i;
      heapKey[at] = k;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(at, parent)) break;
        swap(at, parent);
        at = parent;
      }
    } else if (heapKey[0]! < k || (heapKey[0] === k && rowids[heap[0]!]! < r)) {
      heap[0] = i;
      heapKey[0] = k;
      for (let at = 0; ;) {
        const l = 2 * at + 1;
        let w = at;
        if (l < size && worse(l, w)) w = l;
        if (l + 1 < size && worse(l + 1, w)) w = l + 1;
        if (w === at) break;
        swap(w, at);
        at = w;
      }
    }
  }
  const order = Array.from({ length: size }, (_, slot) => slot).sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
  return { positions: order.map((slot) => heap[slot]!), remaining };
}

export function cursorFor(dv: DocValues, c: Candidates, position: number): string {
  const rowid = c.rowids[position]!;
  return c.scores
    ? encodeCursor({ sort: 'relevance', score: c.scores[position]!, rowid })
    : encodeCursor({ sort: 'time', ms: dv.publishedMs[rowid]!, rowid });
}
