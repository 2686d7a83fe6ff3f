import { parseBoolean, parseDateTime, parseNumber } from './coerce.ts';

/** How a field's value is read from a cell: trimmed id, free text, lower-cased enum, number, date… */
export type FieldKind = 'id' | 'text' | 'enum' | 'integer' | 'number' | 'boolean' | 'date' | 'json';

export type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

const ISO_HINT = 'must be an ISO 8601 date-time such as 2025-03-01T08:00:00Z';

/** Shows the offending value in an error, cut short so a whole paragraph does not end up in it. */
export function shown(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

/** Empty cells and nulls mean "no value", never "an empty value". */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Read one cell as a field of `kind`; `zone` is for date-times written without one. */
export function coerce(kind: FieldKind, value: unknown, zone: string): Coerced {
  switch (kind) {
    case 'json':
      return { ok: true, value };
    case 'date': {
      const iso = parseDateTime(value, zone);
      return iso ? { ok: true, value: iso } : { ok: false, message: `${ISO_HINT} (got ${shown(value)})` };
    }
    case 'integer':
    case 'number': {
      const n = parseNumber(value);
      if (n === undefined) return { ok: false, message: `expected a number (got ${shown(value)})` };
      return { ok: true, value: kind === 'integer' ? Math.round(n) : n };
    }
    case 'boolean': {
      const b = parseBoolean(value);
      return b === undefined ? { ok: false, message: `expected true or false (got ${shown(value)})` } : { ok: true, value: b };
    }
    default: {
      if (typeof value === 'object' && value !== null) return { ok: false, message: `expected text, got ${Array.isArray(value) ? 'an array' : 'an object'}` };
      const s = String(value);
      return { ok: true, value: kind === 'text' ? s : kind === 'enum' ? s.trim().toLowerCase() : s.trim() };
    }
  }
}
