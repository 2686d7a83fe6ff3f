import { CORRECTABLE_LABELS, type BaseField, type CorrectableLabel, type Field, type Labels } from '../../model/index.ts';
import { CodeColumn, Dictionary, MultiCodeColumn, type Column } from './columns.ts';
import type { DocValueRow } from './doc-row.ts';

type SingleField = Exclude<BaseField, 'topic'>;

/** Everything the columns hold, as plain values and typed arrays: what a snapshot stores. */
export interface DocValuesImage {
  scalars: { capacity: number; maxRowid: number; count: number; totalLength: number; minMs: number; maxMs: number };
  arrays: Record<string, Uint8Array | Uint16Array | Uint32Array | Float64Array>;
  dicts: Record<string, string[]>;
  overflow: [number, number[]][];
}
const SINGLE_FIELDS: readonly SingleField[] = [
  'channel', 'source', 'initiator', 'sentiment', 'journey', 'touchpoint', 'escalationLevel', 'lang',
  'complaint', 'surveyMetric',
];

/** The bit of each correctable label in the `corrected` column. */
export function correctedMask(labels: readonly CorrectableLabel[]): number {
  let mask = 0;
  for (const l of labels) mask |= 1 << CORRECTABLE_LABELS.indexOf(l);
  return mask;
}

/** The labels people set on an item (a correction to "none", such as touchpoint null, included) as bits. */
function correctedBits(labels: Labels | undefined): number {
  if (!labels) return 0;
  let mask = 0;
  CORRECTABLE_LABELS.forEach((l, bit) => {
    if (l in labels && labels[l] !== undefined) mask |= 1 << bit;
  });
  return mask;
}

/**
 * Per-field columns for every document, indexed by rowid, rebuilt from the narrow `feedback` table
 * when the index opens and kept current by applying changed rows. Values are the effective ones:
 * labels corrected by people win over the machine's analysis.
 */
export class DocValues {
  capacity: number;
  /** Highest rowid seen; rowids are dense because nothing is ever deleted. */
  maxRowid = 0;
  present: Uint8Array;
  duplicate: Uint8Array;
  /** Which labels people corrected, one bit each (see correctedMask). */
  corrected: Uint8Array;
  publishedMs: Float64Array;
  /** Survey score, NaN when the item is not a survey answer. */
  score: Float64Array;
  /** Words in title + text, for relevance (FTS5 keeps its own, but reading it per row is slow). */
  length: Uint16Array;
  totalLength = 0;
  /** Documents present. */
  count = 0;
  readonly single = new Map<SingleField, CodeColumn>();
  topic: MultiCodeColumn;
  readonly dims = new Map<string, CodeColumn>();
  minMs = Infinity;
  maxMs = -Infinity;

  constructor(capacity = 1024) {
    this.capacity = capacity;
    this.present = new Uint8Array(capacity);
    this.duplicate = new Uint8Array(capacity);
    this.corrected = new Uint8Array(capacity);
    this.publishedMs = new Float64Array(capacity);
    this.score = new Float64Array(capacity).fill(NaN);
    this.length = new Uint16Array(capacity);
    for (const f of SINGLE_FIELDS) this.single.set(f, new CodeColumn(capacity));
    this.topic = new MultiCodeColumn(capacity);
  }

  toImage(): DocValuesImage {
    const arrays: DocValuesImage['arrays'] = {
      present: this.present, duplicate: this.duplicate, corrected: this.corrected, publishedMs: this.publishedMs, score: this.score, length: this.length,
    };
    const dicts: DocValuesImage['dicts'] = { topic: this.topic.dict.values };
    for (const [f, c] of this.single) {
      arrays[`single.${f}`] = c.codes;
      dicts[`single.${f}`] = c.dict.values;
    }
    this.topic.slots.forEach((slot, i) => { arrays[`topic.${i}`] = slot; });
    for (const [key, c] of this.dims) {
      arrays[`dim.${key}`] = c.codes;
      dicts[`dim.${key}`] = c.dict.values;
    }
    const { capacity, maxRowid, count, totalLength, minMs, maxMs } = this;
    return { scalars: { capacity, maxRowid, count, totalLength, minMs, maxMs }, arrays, dicts, overflow: [...this.topic.overflow] };
  }

  /** Columns restored from an image; throws when it does not fit together. */
  static fromImage(img: DocValuesImage): DocValues {
    const { capacity } = img.scalars;
    const dv = new DocValues(capacity);
    const take = <T extends DocValuesImage['arrays'][string]>(name: string, type: new (n: number) => T): T => {
      const a = img.arrays[name];
      if (!(a instanceof type) || a.length !== capacity) throw new Error(`snapshot column ${name} does not fit`);
      return a;
    };
    const codes = (name: string): Uint8Array | Uint16Array | Uint32Array => {
      const a = img.arrays[name];
      if (!(a instanceof Uint8Array || a instanceof Uint16Array || a instanceof Uint32Array) || a.length !== capacity) {
        throw new Error(`snapshot column ${name} does not fit`);
      }
      return a;
    };
    const dict = (name: string) => Dictionary.of(img.dicts[name] ?? ['']);
    dv.present = take('present', Uint8Array);
    dv.duplicate = take('duplicate', Uint8Array);
    dv.corrected = take('corrected', Uint8Array);
    dv.publishedMs = take('publishedMs', Float64Array);
    dv.score = take('score', Float64Array);
    dv.length = take('length', Uint16Array);
    for (const f of SINGLE_FIELDS) dv.single.set(f, new CodeColumn(capacity, dict(`single.${f}`), codes(`single.${f}`)));
    const slots = Array.from({ length: MultiCodeColumn.SLOTS }, (_, i) => codes(`topic.${i}`));
    dv.topic = new MultiCodeColumn(capacity, dict('topic'), slots, new Map(img.overflow));
    for (const name of Object.keys(img.arrays)) {
      if (name.startsWith('dim.')) dv.dims.set(name.slice(4), new CodeColumn(capacity, dict(name), codes(name)));
    }
    dv.maxRowid = img.scalars.maxRowid;
    dv.count = img.scalars.count;
    dv.totalLength = img.scalars.totalLength;
    dv.minMs = img.scalars.minMs;
    dv.maxMs = img.scalars.maxMs;
    return dv;
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
    this.corrected = grown(this.corrected, next);
    this.publishedMs = grown(this.publishedMs, next);
    this.length = grown(this.length, next);
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
    const [rowid, , , textLen, ms, channel, source, initiator, lang, sentiment, complaint, topics, journey, touchpoint,
      escalation, duplicate, surveyMetric, surveyScore, dims, labelsJson] = row;
    this.ensureCapacity(rowid);
    const labels = labelsJson === null ? undefined : (JSON.parse(labelsJson) as Labels);
    const existed = this.present[rowid] === 1;
    if (existed) this.totalLength -= this.length[rowid]!;
    else this.count++;
    const len = Math.min(textLen, 0xffff);
    this.length[rowid] = len;
    this.totalLength += len;
    this.present[rowid] = 1;
    this.duplicate[rowid] = duplicate;
    this.corrected[rowid] = correctedBits(labels);
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

  private all: Int32Array | undefined;

  /** Every document's rowid, ascending; rebuilt only after documents were added. */
  allRowids(): Int32Array {
    if (this.all?.length !== this.count) {
      const all = new Int32Array(this.count);
      let n = 0;
      for (let r = 1; r <= this.maxRowid; r++) if (this.present[r] === 1) all[n++] = r;
      this.all = all;
    }
    return this.all;
  }

  /** Bytes held by the typed arrays (dictionaries and overflow maps aside). */
  bytes(): number {
    let n = this.present.byteLength + this.duplicate.byteLength + this.corrected.byteLength + this.publishedMs.byteLength + this.score.byteLength
      + this.length.byteLength;
    for (const c of this.single.values()) n += c.codes.byteLength;
    for (const c of this.dims.values()) n += c.codes.byteLength;
    for (const s of this.topic.slots) n += s.byteLength;
    return n;
  }
}

function grown<T extends Uint8Array | Uint16Array | Float64Array>(a: T, length: number): T {
  const next = new (a.constructor as new (n: number) => T)(length);
  next.set(a);
  return next;
}
