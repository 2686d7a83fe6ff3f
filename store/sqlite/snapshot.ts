import type { Db } from './db.ts';
import { DocValues, type DocValuesImage } from './doc-values.ts';
import { IdMap } from './id-map.ts';

/**
 * A saved copy of the in-memory columns and id map, with the `seq` they are current to. Rebuilding
 * them row by row takes ~10 s at a million documents (better-sqlite3 costs a few µs per row); loading
 * a snapshot and applying the rows written since (seq > snapshot seq) takes well under one. Anything
 * that does not fit — another format, a damaged blob — is ignored and the columns are rebuilt.
 */
const FORMAT = 2; // 2: the `corrected` column

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;
const TYPES = { u8: Uint8Array, u16: Uint16Array, u32: Uint32Array, i32: Int32Array, f64: Float64Array } as const;
type TypeName = keyof typeof TYPES;

interface Meta {
  format: number;
  scalars: DocValuesImage['scalars'];
  dicts: DocValuesImage['dicts'];
  overflow: DocValuesImage['overflow'];
  idCount: number;
  arrays: { name: string; type: TypeName; offset: number; length: number }[];
}

export interface Restored {
  dv: DocValues;
  ids: IdMap;
  seq: number;
}

function typeName(a: Typed): TypeName {
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Uint16Array) return 'u16';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Int32Array) return 'i32';
  return 'f64';
}

export function saveSnapshot(db: Db, dv: DocValues, ids: IdMap, seq: number): void {
  const image = dv.toImage();
  const idParts = ids.toParts();
  const named: [string, Typed][] = [...Object.entries(image.arrays), ['ids.keys', idParts.keys], ['ids.rowids', idParts.rowids]];
  const arrays: Meta['arrays'] = [];
  let offset = 0;
  for (const [name, a] of named) {
    arrays.push({ name, type: typeName(a), offset, length: a.length });
    offset += Math.ceil(a.byteLength / 8) * 8; // keep every array 8-byte aligned
  }
  const data = Buffer.alloc(offset);
  named.forEach(([, a], i) => data.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), arrays[i]!.offset));
  const meta: Meta = { format: FORMAT, scalars: image.scalars, dicts: image.dicts, overflow: image.overflow, idCount: idParts.count, arrays };
  db.prepare('INSERT OR REPLACE INTO feedback_snapshot (id, format, seq, meta, data) VALUES (1, ?, ?, ?, ?)')
    .run(FORMAT, seq, JSON.stringify(meta), data);
}

export function loadSnapshot(db: Db): Restored | undefined {
  const row = db.prepare('SELECT format, seq, meta, data FROM feedback_snapshot WHERE id = 1').get() as
    { format: number; seq: number; meta: string; data: Buffer } | undefined;
  if (!row || row.format !== FORMAT) return undefined;
  try {
    const meta = JSON.parse(row.meta) as Meta;
    const typed = new Map<string, Typed>();
    for (const a of meta.arrays) {
      const Type = TYPES[a.type];
      const bytes = a.length * Type.BYTES_PER_ELEMENT;
      if (a.offset + bytes > row.data.length) throw new Error(`snapshot array ${a.name} is cut short`);
      // Copy into a buffer of its own: the blob's offset need not suit the element size.
      const copy = new Uint8Array(bytes);
      copy.set(row.data.subarray(a.offset, a.offset + bytes));
      typed.set(a.name, new (Type as new (buffer: ArrayBuffer) => Typed)(copy.buffer));
    }
    const { 'ids.keys': keys, 'ids.rowids': rowids, ...rest } = Object.fromEntries(typed);
    if (!(keys instanceof Float64Array) || !(rowids instanceof Int32Array)) throw new Error('snapshot has no id map');
    const docArrays: DocValuesImage['arrays'] = {};
    for (const [name, a] of Object.entries(rest)) {
      if (a instanceof Int32Array) throw new Error(`snapshot column ${name} has a wrong type`);
      docArrays[name] = a;
    }
    const dv = DocValues.fromImage({ scalars: meta.scalars, dicts: meta.dicts, overflow: meta.overflow, arrays: docArrays });
    return { dv, ids: IdMap.fromParts({ keys, rowids, count: meta.idCount }), seq: row.seq };
  } catch {
    return undefined;
  }
}
