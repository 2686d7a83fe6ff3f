import type { z } from 'zod';
import { ValidationError, formatPath, type ErrorDetail } from '../model/index.ts';

type Query = Record<string, unknown>;

/**
 * Filters that take a list: `?channel=social,forum` or `?channel=social&channel=forum`;
 * `?corrected=sentiment,topics`: items people corrected any of these labels on.
 */
const LIST_FILTERS = ['channel', 'source', 'initiator', 'sentiment', 'topic', 'journey', 'touchpoint', 'escalationLevel', 'lang', 'surveyMetric', 'corrected'] as const;

export function list(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  const parts = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(','));
  const out = parts.map((s) => s.trim()).filter(Boolean);
  return out.length ? out : undefined;
}

function one(v: unknown): string | undefined {
  return Array.isArray(v) ? (v.length ? String(v[v.length - 1]) : undefined) : v === undefined ? undefined : String(v);
}

export function bool(v: unknown, name: string): boolean | undefined {
  const s = one(v);
  if (s === undefined || s === '') return undefined;
  if (['true', '1', 'yes'].includes(s)) return true;
  if (['false', '0', 'no'].includes(s)) return false;
  throw new ValidationError(`${name}: expected true or false`, [{ path: name, message: 'expected true or false' }]);
}

export function int(v: unknown, name: string): number | undefined {
  const s = one(v);
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  if (!Number.isInteger(n)) throw new ValidationError(`${name}: expected an integer`, [{ path: name, message: `expected an integer, got "${s}"` }]);
  return n;
}

export const str = one;

/** Query-string parameters → the `q` + `filters` selection shared by search and analytics. */
export function selectionParams(query: Query): { q?: string; filters: Record<string, unknown> } {
  const filters: Record<string, unknown> = {};
  for (const key of LIST_FILTERS) {
    const v = list(query[key]);
    if (v) filters[key] = v;
  }
  const complaint = bool(query.complaint, 'complaint');
  if (complaint !== undefined) filters.complaint = complaint;
  const dup = bool(query.includeDuplicates, 'includeDuplicates');
  if (dup !== undefined) filters.includeDuplicates = dup;
  for (const key of ['from', 'to'] as const) {
    const v = one(query[key]);
    if (v) filters[key] = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v;
  }
  if (typeof filters.from === 'string' && typeof filters.to === 'string' && Date.parse(filters.from) > Date.parse(filters.to)) {
    throw new ValidationError('from: must not be after to', [{ path: 'from', message: `must not be after to (${String(filters.to)})` }]);
  }
  const dims: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(query)) {
    if (k.startsWith('dim.')) {
      const values = list(v);
      if (values) dims[k.slice(4)] = values;
    }
  }
  if (Object.keys(dims).length) filters.dimensions = dims;
  const q = one(query.q);
  return { ...(q && q.trim() ? { q } : {}), filters };
}

/** Parameters outside this set are refused, so a typo (`?chanel=`) is not silently ignored. */
export function rejectUnknown(query: Query, allowed: readonly string[]): void {
  const known = new Set<string>([...allowed, 'q', 'complaint', 'includeDuplicates', 'from', 'to', ...LIST_FILTERS]);
  const unknown = Object.keys(query).filter((k) => !known.has(k) && !k.startsWith('dim.'));
  if (unknown.length) {
    throw new ValidationError(`unknown parameter${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      unknown.map((k) => ({ path: k, message: 'unknown parameter' })));
  }
}

/** Validate with a zod schema; report fields by their query-parameter name (`channel`, not `filters.channel[0]`). */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const details: ErrorDetail[] = r.error.issues.map((i) => {
    const path = i.path[0] === 'filters' ? i.path.slice(1) : i.path;
    const name = path[0] === 'dimensions' ? `dim.${String(path[1])}` : formatPath('', path.filter((p) => typeof p !== 'number' || path[0] === 'facets'));
    return { path: name, message: i.message };
  });
  throw new ValidationError(details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
}

