import { ValidationError, type ErrorDetail } from '../model/index.ts';
import type { AuthorWindow } from './ports.ts';

/**
 * Ids per question at most: a repeat-contact count needs a handful, and Elasticsearch's top_hits
 * stops at 100 (index.max_inner_result_window).
 */
export const MAX_CONTACTS_LIMIT = 100;

export interface CheckedWindow {
  authorKey: string;
  sinceMs: number;
  untilMs: number;
}

/** Checks `recentByAuthor` arguments for both adapters alike, naming each bad field; bounds come back in ms. */
export function checkAuthorWindows(queries: readonly AuthorWindow[], limit: number): CheckedWindow[] {
  const details: ErrorDetail[] = [];
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CONTACTS_LIMIT) {
    details.push({ path: 'limit', message: `must be an integer from 1 to ${MAX_CONTACTS_LIMIT}` });
  }
  const checked = queries.map((q, index) => {
    const bad = (field: string, message: string) => details.push({ path: `queries[${index}].${field}`, message, index });
    if (typeof q.authorKey !== 'string' || q.authorKey === '') bad('authorKey', 'must not be empty');
    const sinceMs = Date.parse(q.since);
    const untilMs = Date.parse(q.until);
    if (!Number.isFinite(sinceMs)) bad('since', 'must be an ISO 8601 date-time');
    if (!Number.isFinite(untilMs)) bad('until', 'must be an ISO 8601 date-time');
    return { authorKey: q.authorKey, sinceMs, untilMs };
  });
  if (details.length > 0) throw new ValidationError(`invalid repeat-contact lookup: ${details[0]!.path} ${details[0]!.message}`, details);
  return checked;
}
