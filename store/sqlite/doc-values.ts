import type { BaseField, Field, Labels } from '../../model/index.ts';
import { CodeColumn, MultiCodeColumn, type Column } from './columns.ts';
import type { DocValueRow } from './doc-row.ts';

type SingleField = Exclude<BaseField, 'topic'>;
const SINGLE_FIELDS: readonly SingleField[] = [
  'channel', 'source', 'initiator', 'sentiment', 'journey', 'touchpoint', 'escalationLevel', 'lang',
  'complaint', 'surveyMetric',
];

/**
 * Per-field columns for every document, indexed by rowid, rebuilt from the narrow `feedback` table
 * when the index opens and kept current by applying changed rows. Values are the effective ones:
 * labels corrected by people win over the machine's analysis.
 */
export class DocValues {
  private capacity: number;
  /** Highest rowid seen; rowids are dense because nothing is ever deleted. */
  maxRowid = 0;
  present: Uint8Array;
  duplicate: Uint8Array;
  publishedMs: Float64Array;
  /** Survey score, NaN when the item is not a survey answer. */
  score: Float64Array;
  readonly single = new Map<SingleField, CodeColumn>();
  readonly topic: MultiCodeColumn;
  readonly dims = new Map<string, CodeColumn>();
  minMs = Infinity;
  maxMs = -Infinity;

  constructor(capacity = 1024) {
    this.capacity = capacity;
    this.present = new Uint8Array(capacity);
    this.duplicate = new Uint8Array(capacity);
    this.publishedMs = new Float64Array(capacity);
    this.score = new Float64Array(capacity).fill(NaN);
    for (const f of SINGLE_FIELDS) this.single.set(f, new CodeColumn(capacity));
    this.topic = new MultiCodeColumn(capacity);
  }

  column(field: Field): Column | undefined {
    if (field === 'topic') return this.topic;
    if (field.startsWith('dim.')) return this.dims.get(field.slice(4));
    return this.single.get(field as SingleField);
  }

  private col(field: SingleField): CodeColumn {
    return this.single.get(field)!;
  }

  private ensureCapacity(rowid: number): void {
    if (rowid < this.capacity) return;
    let next = this.capacity;
    while (next <= rowid) next *= 2;
    this.present = grown(this.present, next);
    this.duplicate = grown(this.duplicate, next);
    this.publishedMs = grown(this.publishedMs, next);
    const score = new Float64Array(next).fill(NaN);
    score.set(this.score);
    this.score = score;
    for (const c of this.single.values()) c.grow(next);
    for (const c of this.dims.values()) c.grow(next);
    this.topic.grow(next);
    this.capacity = next;
  }

  /** Dimension columns appear the first time a key is seen. */
  private dimColumn(key: string): CodeColumn {
    let c = this.dims.get(key);
    if (!c) {
      c = new CodeColumn(this.capacity);
      this.dims.set(key, c);
    }
    return c;
  }

  apply(row: DocValueRow): void {
    const [rowid, , ms, channel, source, initiator, lang, sentiment, complaint, topics, journey, touchpoint,
      escalation, duplicate, surveyMetric, surveyScore, dims, labelsJson] = row;
    this.ensureCapacity(rowid);
    const labels = labelsJson === null ? undefined : (JSON.parse(labelsJson) as Labels);
    const existed = this.present[rowid] === 1;
    this.present[rowid] = 1;
    this.duplicate[rowid] = duplicate;
    this.publishedMs[rowid] = ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.score[rowid] = surveyScore ?? NaN;
    if (rowid > this.maxRowid) this.maxRowid = rowid;

    this.col('channel').set(rowid, channel);
    this.col('source').set(rowid, source);
    this.col('initiator').set(rowid, initiator);
    this.col('lang').set(rowid, lang);
    this.col('surveyMetric').set(rowid, surveyMetric ?? undefined);
    this.col('sentiment').set(rowid, labels?.sentiment ?? sentiment);
    this.col('escalationLevel').set(rowid, labels?.escalationLevel ?? escalation);
    this.col('complaint').set(rowid, String(labels?.complaint ?? (complaint === 1)));
    const tp = labels && 'touchpoint' in labels ? labels.touchpoint : undefined;
    this.col('journey').set(rowid, tp !== undefined ? tp?.journey : (journey ?? undefined));
    this.col('touchpoint').set(rowid, tp !== undefined ? tp?.touchpoint : (touchpoint ?? undefined));
    this.topic.set(rowid, labels?.topics ?? (JSON.parse(topics) as string[]));

    const dimValues = dims === null ? undefined : (JSON.parse(dims) as Record<string, string>);
    if (existed) {
      for (const [key, column] of this.dims) if (!dimValues || !(key in dimValues)) column.set(rowid, undefined);
    }
    if (dimValues) for (const [key, value] of Object.entries(dimValues)) this.dimColumn(key).set(rowid, value);
  }

  /** Bytes held by the typed arrays (dictionaries and overflow maps aside). */
  bytes(): number {
    let n = this.present.byteLength + this.duplicate.byteLength + this.publishedMs.byteLength + this.score.byteLength;
    for (const c of this.single.values()) n += c.codes.byteLength;
    for (const c of this.dims.values()) n += c.codes.byteLength;
    for (const s of this.topic.slots) n += s.byteLength;
    return n;
  }
}

function grown<T extends Uint8Array | Float64Array>(a: T, length: number): T {
  const next = new (a.constructor as new (n: number) => T)(length);
  next.set(a);
  return next;
}
