import { basename } from 'node:path';
import { RawItem, zodDetails, type ErrorDetail } from '../../model/index.ts';
import { ENUMS, type ColumnMapping, type PlanField } from './mapping.ts';
import { coerce, isBlank, shown } from './coerce-field.ts';

export interface ImportDefaults {
  /** The file the record came from: names the default source and the generated external ids. */
  file: string;
  /** Line the record starts on. */
  line: number;
  /** Zone for date-times written without one, e.g. "+08:00" (default UTC). */
  zone?: string;
  /** Keep the whole record as `raw` (off by default: it doubles what is stored). */
  keepRaw?: boolean;
}

export interface ToRawItemResult {
  item?: RawItem;
  errors?: ErrorDetail[];
}

const EMPTY_TEXT = 'must not be empty (only survey answers may come without text)';
/** Fields every item needs; when one is missing the error says which column was looked for. */
const REQUIRED = ['text', 'publishedAt', 'channel'] as const;

const SEGMENTS = new Map<string, string[]>();

function valueAt(record: Record<string, unknown>, column: string): unknown {
  if (column in record) return record[column];
  if (!column.includes('.')) return undefined;
  let parts = SEGMENTS.get(column);
  if (!parts) SEGMENTS.set(column, (parts = column.split('.')));
  let v: unknown = record;
  for (const part of parts) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const dot = path.indexOf('.');
  if (dot < 0) {
    target[path] = value;
    return;
  }
  const head = path.slice(0, dot);
  const child = (target[head] ??= {}) as Record<string, unknown>;
  child[path.slice(dot + 1)] = value;
}

function has(input: Record<string, unknown>, path: string): boolean {
  return !isBlank(valueAt(input, path));
}

let lastFile = '';
let lastNames = { name: '', slug: '' };

/** File name and its slug; a file's records come one after another, so the last one is kept. */
function names(file: string): { name: string; slug: string } {
  if (file !== lastFile) {
    const name = basename(file);
    const slug = name.toLowerCase().replace(/\.[a-z0-9]+$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'file';
    [lastFile, lastNames] = [file, { name, slug }];
  }
  return lastNames;
}

function addDimension(dimensions: Record<string, string>, errors: ErrorDetail[], key: string, value: unknown): void {
  if (isBlank(value)) return;
  if (typeof value === 'object') errors.push({ path: `dimensions.${key}`, message: 'expected text, got an object' });
  else dimensions[key] = String(value).trim();
}

/** Why a required field is missing, in terms of the file's columns. */
function missingHint(field: string, plan: PlanField[], record: Record<string, unknown>): string {
  const mapped = plan.find((f) => f.field === field);
  if (mapped?.explicit && valueAt(record, mapped.column) === undefined) return `; there is no column "${mapped.column}" in this record`;
  if (mapped) return `; column "${mapped.column}" is empty`;
  if (field === 'channel') return '; map a column with --map channel=COLUMN or give one with --set channel=review';
  return `; no column found for it, map one with --map ${field}=COLUMN`;
}

/**
 * One file record → a validated RawItem, or the reasons it is not one, each naming its field
 * ("publishedAt: must be an ISO 8601 date-time… (got "yesterday")"). Every problem of the
 * record is reported at once.
 */
export function toRawItem(record: Record<string, unknown>, mapping: ColumnMapping, defaults: ImportDefaults): ToRawItemResult {
  const zone = defaults.zone ?? 'Z';
  const plan = mapping.plan(record);
  const input: Record<string, unknown> = {};
  const errors: ErrorDetail[] = [];
  const failed = new Set<string>();

  for (const f of plan.fields) {
    const value = valueAt(record, f.column);
    if (isBlank(value)) continue;
    const read = coerce(f.kind, value, zone);
    if (read.ok) setPath(input, f.field, read.value);
    else {
      errors.push({ path: f.field, message: read.message });
      failed.add(f.field);
    }
  }
  for (const [field, value] of mapping.fixed) setPath(input, field, value);

  const dimensions: Record<string, string> = {};
  if (plan.dimensionsObject) for (const [k, v] of Object.entries(record.dimensions as Record<string, unknown>)) addDimension(dimensions, errors, k, v);
  for (const { key, column } of plan.dimensions) addDimension(dimensions, errors, key, valueAt(record, column));
  for (const [field, value] of mapping.fixed) if (field.startsWith('dimensions.')) dimensions[field.slice(11)] = String(value);
  delete input.dimensions;
  if (Object.keys(dimensions).length) input.dimensions = dimensions;

  const { name, slug } = names(defaults.file);
  if (!has(input, 'source.id')) setPath(input, 'source.id', `import-${slug}`);
  if (!has(input, 'source.kind')) setPath(input, 'source.kind', 'file');
  if (!has(input, 'source.name')) setPath(input, 'source.name', name);
  // Re-importing the same file updates the same items instead of adding copies.
  if (!has(input, 'externalId') && !failed.has('externalId')) input.externalId = `${name}:${defaults.line}`;
  if (input.survey) {
    if (!has(input, 'survey.survey')) setPath(input, 'survey.survey', `import-${slug}`);
    input.initiator ??= 'company';
    input.channel ??= 'survey';
  }
  if (defaults.keepRaw) input.raw = record;

  const parsed = RawItem.safeParse(input);
  if (parsed.success && errors.length === 0) return { item: parsed.data };

  const seen = new Set(errors.map((e) => e.path));
  if (!parsed.success) {
    for (const d of zodDetails(parsed.error.issues)) {
      const path = d.path ?? '';
      if ([...failed].some((f) => path === f || path.startsWith(`${f}.`)) || seen.has(path)) continue;
      seen.add(path);
      errors.push(d);
    }
  }
  // zod skips the empty-text rule while other fields are invalid; report it anyway so one pass finds everything.
  const hasText = has(input, 'text') || has(input, 'title');
  if (!hasText && !input.survey && !seen.has('text')) errors.push({ path: 'text', message: EMPTY_TEXT });
  for (const e of errors) {
    const allowed = ENUMS[e.path ?? ''];
    if (allowed && has(input, e.path!)) e.message = `must be one of ${allowed.join(', ')} (got ${shown(valueAt(input, e.path!))})`;
    const field = REQUIRED.find((r) => r === e.path);
    if (field && !failed.has(field) && !has(input, field)) e.message = field === 'channel' ? `missing${missingHint(field, plan.fields, record)}` : `${e.message}${missingHint(field, plan.fields, record)}`;
  }
  return { errors };
}

/** "line 12: publishedAt: must be an ISO 8601 date-time…" — one line per problem, for the import summary. */
export function describeErrors(line: number, errors: readonly ErrorDetail[]): string[] {
  return errors.map((e) => `line ${line}: ${e.path ? `${e.path}: ` : ''}${e.message}`);
}
