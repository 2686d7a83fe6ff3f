import { Channel, Initiator, SurveyMetric, ValidationError, type ErrorDetail } from '../../model/index.ts';
import { coerce, type FieldKind } from './coerce-field.ts';

export type { FieldKind };

/** Every RawItem field a column can fill (plus `dimensions.<name>`), and how it is read. */
export const FIELDS: Readonly<Record<string, FieldKind>> = {
  'source.id': 'id', 'source.kind': 'id', 'source.name': 'text',
  channel: 'enum', initiator: 'enum', externalId: 'id', url: 'id', threadId: 'id', parentId: 'id',
  'author.id': 'id', 'author.handle': 'id', 'author.name': 'text', 'author.followers': 'integer', 'author.verified': 'boolean',
  customerRef: 'id', title: 'text', text: 'text', publishedAt: 'date',
  'engagement.likes': 'integer', 'engagement.shares': 'integer', 'engagement.replies': 'integer', 'engagement.views': 'integer',
  'survey.survey': 'id', 'survey.touchpoint': 'id', 'survey.metric': 'enum', 'survey.score': 'number', 'survey.comment': 'text',
  raw: 'json',
};

/**
 * Column names recognised without a --map, besides the field's own name. Compared ignoring case,
 * spaces, "_", "-" and ".", so "Created At", "created_at" and "createdAt" are the same column.
 */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  text: ['content', 'body', 'comment', 'comments', 'review', 'review_text', 'message', 'feedback'],
  title: ['subject', 'headline'],
  publishedAt: ['published', 'published_at', 'date', 'created_at', 'created', 'timestamp', 'time', 'datetime', 'posted_at'],
  externalId: ['external_id', 'id'],
  url: ['link', 'permalink', 'href'],
  threadId: ['thread_id', 'conversation_id'],
  parentId: ['parent_id', 'in_reply_to', 'in_response_to'],
  'author.id': ['author_id', 'user_id'],
  'author.handle': ['handle', 'username', 'user', 'screen_name', 'author'],
  'author.name': ['author_name'],
  'author.followers': ['followers', 'followers_count'],
  'author.verified': ['verified'],
  customerRef: ['customer_ref', 'customer_id'],
  'engagement.likes': ['likes', 'like_count', 'favorites', 'favorite_count'],
  'engagement.shares': ['shares', 'share_count', 'retweets', 'retweet_count', 'reposts'],
  'engagement.replies': ['replies', 'reply_count'],
  'engagement.views': ['views', 'view_count'],
};

/** Fields with a fixed set of values. */
export const ENUMS: Readonly<Record<string, readonly string[]>> = {
  channel: Channel.options, initiator: Initiator.options, 'survey.metric': SurveyMetric.options,
};

const DIMENSION_KEY = /^[\p{L}\p{N}_.-]{1,64}$/u;

export const normalizeColumn = (name: string): string => name.toLowerCase().replace(/[\s_.-]+/g, '');

/** Alias (normalised) → field, built once. */
const BY_ALIAS = new Map<string, string>();
for (const field of Object.keys(FIELDS)) BY_ALIAS.set(normalizeColumn(field), field);
for (const [field, aliases] of Object.entries(ALIASES)) for (const a of aliases) BY_ALIAS.set(normalizeColumn(a), field);

/** `--map` / `--set` arguments: ["text=body", …] as given on the command line, or { text: 'body' }. */
export type MappingSpec = readonly string[] | Readonly<Record<string, string>>;

/**
 * Which column fills which field. Explicit `--map` pairs win, then fixed `--set` values, then
 * columns recognised by name. The fields a record's columns fill are worked out once per set of
 * column names (once per CSV file; once per shape of JSON record).
 */
export class ColumnMapping {
  private readonly plans = new Map<string, Plan>();
  private last?: { keys: string[]; objects: boolean[]; plan: Plan };

  constructor(
    /** field → column (a key of the record, or a dotted path into nested JSON). */
    readonly columns: ReadonlyMap<string, string>,
    /** field → value, already read as the field's kind. */
    readonly fixed: ReadonlyMap<string, unknown>,
  ) {}

  /** The plan for a record with these keys. */
  plan(record: Record<string, unknown>): Plan {
    const keys = Object.keys(record);
    // CSV records all have the same columns: check against the last record before building a key.
    const last = this.last;
    if (last && last.keys.length === keys.length && keys.every((k, i) => k === last.keys[i] && isObject(record[k]) === last.objects[i])) return last.plan;
    let signature = '';
    for (const k of keys) signature += `${k}${isObject(record[k]) ? '{}' : ''}\u0001`;
    let plan = this.plans.get(signature);
    if (!plan) {
      plan = this.resolve(record, keys);
      // JSON with endlessly varying keys must not grow the cache without bound.
      if (this.plans.size < 1000) this.plans.set(signature, plan);
    }
    this.last = { keys, objects: keys.map((k) => isObject(record[k])), plan };
    return plan;
  }

  private resolve(record: Record<string, unknown>, keys: string[]): Plan {
    const fields: PlanField[] = [];
    const explicitColumns = new Set(this.columns.values());
    for (const [field, column] of this.columns) if (!field.startsWith('dimensions.')) fields.push({ field, kind: FIELDS[field]!, column, explicit: true });
    const claimed = new Set(fields.map((f) => f.field));
    for (const field of this.fixed.keys()) claimed.add(field);

    // Columns named like a field (or an alias) fill it; nested JSON objects fill their dotted fields.
    const byField = new Map<string, string>();
    const dimensions: Array<{ key: string; column: string }> = [];
    for (const key of keys) {
      if (explicitColumns.has(key)) continue;
      const value = record[key];
      const dim = /^dimensions?\.(.+)$/i.exec(key);
      if (dim && DIMENSION_KEY.test(dim[1]!)) {
        dimensions.push({ key: dim[1]!, column: key });
        continue;
      }
      if (isObject(value)) {
        for (const field of Object.keys(FIELDS)) if (field.startsWith(`${key}.`) && !byField.has(field)) byField.set(field, field);
        if (key === 'raw' || key === 'dimensions') byField.set(key, key);
        continue;
      }
      const field = BY_ALIAS.get(normalizeColumn(key));
      if (field && !byField.has(field)) byField.set(field, key);
    }
    for (const [field, column] of byField) {
      if (!claimed.has(field) && FIELDS[field]) fields.push({ field, kind: FIELDS[field]!, column, explicit: false });
    }
    for (const [field, column] of this.columns) if (field.startsWith('dimensions.')) dimensions.push({ key: field.slice(11), column });
    return { fields, dimensions, dimensionsObject: byField.has('dimensions') };
  }
}

export interface PlanField { field: string; kind: FieldKind; column: string; explicit: boolean }
export interface Plan {
  fields: PlanField[];
  dimensions: Array<{ key: string; column: string }>;
  /** The record has a `dimensions` object whose entries all become dimensions. */
  dimensionsObject: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pairs(spec: MappingSpec, flag: string, details: ErrorDetail[]): Array<[string, string, string]> {
  if (!Array.isArray(spec)) return Object.entries(spec as Record<string, string>).map(([k, v]) => [k.trim(), v, `${flag} ${k}=${v}`]);
  const out: Array<[string, string, string]> = [];
  for (const arg of spec as readonly string[]) {
    const eq = arg.indexOf('=');
    if (eq <= 0 || (flag === '--map' && eq === arg.length - 1)) {
      details.push({ path: `${flag} ${arg}`, message: `expected FIELD=${flag === '--map' ? 'COLUMN' : 'VALUE'}, e.g. ${flag === '--map' ? 'text=body' : 'channel=review'}` });
      continue;
    }
    out.push([arg.slice(0, eq).trim(), arg.slice(eq + 1), `${flag} ${arg}`]);
  }
  return out;
}

/** Edit distance, to suggest "text" for a mistyped "txt". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

function closest(field: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const f of Object.keys(FIELDS)) {
    const d = distance(field.toLowerCase(), f.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [f, d];
  }
  return best;
}

function checkField(field: string, where: string, details: ErrorDetail[]): boolean {
  if (field.startsWith('dimensions.')) {
    if (DIMENSION_KEY.test(field.slice(11))) return true;
    details.push({ path: where, message: 'dimension names use letters, digits, _ . - only (at most 64)' });
    return false;
  }
  if (FIELDS[field]) return true;
  const guess = BY_ALIAS.get(normalizeColumn(field)) ?? closest(field);
  details.push({
    path: where,
    message: `unknown field "${field}"${guess ? ` (did you mean "${guess}"?)` : ''}; fields are ${Object.keys(FIELDS).join(', ')}, dimensions.<name>`,
  });
  return false;
}

/**
 * Read `--map FIELD=COLUMN` and `--set FIELD=VALUE` arguments. Every problem is reported at once
 * in one ValidationError; fixed values are checked here, not once per record.
 */
export function parseMapping(map: MappingSpec = [], set: MappingSpec = []): ColumnMapping {
  const details: ErrorDetail[] = [];
  const columns = new Map<string, string>();
  const fixed = new Map<string, unknown>();
  for (const [field, column, where] of pairs(map, '--map', details)) {
    if (!checkField(field, where, details)) continue;
    if (columns.has(field)) details.push({ path: where, message: `${field} is mapped twice` });
    columns.set(field, column.trim());
  }
  for (const [field, value, where] of pairs(set, '--set', details)) {
    if (!checkField(field, where, details)) continue;
    if (columns.has(field)) details.push({ path: where, message: `${field} is already mapped to column "${columns.get(field)}" with --map` });
    const kind = field.startsWith('dimensions.') ? 'text' : FIELDS[field]!;
    const read = coerce(kind, value, 'Z');
    const allowed = ENUMS[field];
    if (!read.ok) details.push({ path: where, message: read.message });
    else if (allowed && !allowed.includes(read.value as string)) details.push({ path: where, message: `must be one of ${allowed.join(', ')}` });
    else fixed.set(field, read.value);
  }
  if (details.length) throw new ValidationError('invalid column mapping', details);
  return new ColumnMapping(columns, fixed);
}
