import { Labels, ValidationError, zodDetails, type ErrorDetail, type Feedback } from '../../model/index.ts';

/**
 * Checks what the index itself relies on and returns each item's publishedAt in ms. Full schema
 * validation belongs to whoever built the items (it would halve the indexing rate here).
 */
export function checkItems(items: readonly Feedback[]): number[] {
  const details: ErrorDetail[] = [];
  const published = items.map((item, index) => {
    const bad = (field: string, message: string) => details.push({ path: `items[${index}].${field}`, message, index });
    if (typeof item.id !== 'string' || item.id === '') bad('id', 'must not be empty');
    const ms = Date.parse(item.publishedAt);
    if (!Number.isFinite(ms)) bad('publishedAt', 'must be an ISO 8601 date-time');
    if (typeof item.text !== 'string') bad('text', 'must be a string');
    if (typeof item.source?.id !== 'string') bad('source.id', 'must be a string');
    const a = item.analysis as Partial<Feedback['analysis']> | undefined;
    if (!a?.sentiment || !a.complaint || !Array.isArray(a.topics) || !a.escalation) bad('analysis', 'must hold sentiment, complaint, topics and escalation');
    return ms;
  });
  if (details.length > 0) throw new ValidationError(`${details.length} invalid item(s); nothing was stored`, details);
  return published;
}

export function joinWords(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a} ${b}`;
}

export function labelsJson(labels: Labels): string | null {
  return Object.keys(labels).length === 0 ? null : JSON.stringify(labels);
}

/** Merge a labels patch: `null` removes a correction, anything else replaces it. */
export function mergeLabels(current: string | null, patch: Labels): string | null {
  const merged: Record<string, unknown> = current === null ? {} : (JSON.parse(current) as Record<string, unknown>);
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  const r = Labels.safeParse(merged);
  if (!r.success) throw new ValidationError('invalid labels', zodDetails(r.error.issues, 'labels'));
  return labelsJson(r.data);
}
