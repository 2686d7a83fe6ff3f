/**
 * Compact in-memory columns indexed by rowid ("doc values"): facets, filters and histograms scan
 * these instead of re-running SQL per field. Values are dictionary codes; code 0 means "no value".
 */

export type CodeArray = Uint8Array | Uint16Array | Uint32Array;

/** Two-way map between a field's distinct values and small integer codes (1-based). */
export class Dictionary {
  private readonly codes = new Map<string, number>();
  /** values[code]; values[0] is the unused "no value" slot. */
  readonly values: string[] = [''];

  get size(): number {
    return this.values.length;
  }

  /** A dictionary holding `values` (values[0] is the unused slot), e.g. from a snapshot. */
  static of(values: readonly string[]): Dictionary {
    const d = new Dictionary();
    for (let code = 1; code < values.length; code++) d.intern(values[code]!);
    return d;
  }

  codeOf(value: string): number | undefined {
    return this.codes.get(value);
  }

  intern(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codes.set(value, code);
    }
    return code;
  }

  /** A lookup table: allowed[code] === 1 for the given values; unknown values allow nothing. */
  allowTable(values: readonly string[]): Uint8Array {
    const table = new Uint8Array(this.size);
    for (const v of values) {
      const code = this.codes.get(v);
      if (code !== undefined) table[code] = 1;
    }
    return table;
  }
}

function arrayFor(maxCode: number, length: number): CodeArray {
  if (maxCode < 0x100) return new Uint8Array(length);
  if (maxCode < 0x10000) return new Uint16Array(length);
  return new Uint32Array(length);
}

/** One value per document; the array widens from 8 to 16 to 32 bits as the dictionary grows. */
export class CodeColumn {
  readonly kind = 'single';
  codes: CodeArray;

  constructor(capacity: number, readonly dict = new Dictionary(), codes?: CodeArray) {
    this.codes = codes ?? new Uint8Array(capacity);
  }

  grow(capacity: number): void {
    const next = arrayFor(this.dict.size, capacity);
    next.set(this.codes);
    this.codes = next;
  }

  set(rowid: number, value: string | undefined): void {
    const code = value === undefined ? 0 : this.dict.intern(value);
    if (this.dict.size > widthLimit(this.codes)) this.grow(this.codes.length);
    this.codes[rowid] = code;
  }

  get(rowid: number): string | undefined {
    const code = this.codes[rowid] ?? 0;
    return code === 0 ? undefined : this.dict.values[code];
  }
}

function widthLimit(a: CodeArray): number {
  return a instanceof Uint8Array ? 0x100 : a instanceof Uint16Array ? 0x10000 : 0x1_0000_0000;
}

/**
 * Several values per document (topics). Most documents carry a few, so the first SLOTS codes live in
 * fixed slot arrays and the rare rest in an overflow map.
 */
export class MultiCodeColumn {
  static readonly SLOTS = 3;
  readonly kind = 'multi';
  slots: CodeArray[];

  constructor(
    capacity: number,
    readonly dict = new Dictionary(),
    slots?: CodeArray[],
    readonly overflow = new Map<number, number[]>(),
  ) {
    this.slots = slots ?? Array.from({ length: MultiCodeColumn.SLOTS }, () => new Uint8Array(capacity));
  }

  grow(capacity: number): void {
    this.slots = this.slots.map((old) => {
      const next = arrayFor(this.dict.size, capacity);
      next.set(old);
      return next;
    });
  }

  set(rowid: number, values: readonly string[]): void {
    const codes = [...new Set(values)].map((v) => this.dict.intern(v));
    if (this.dict.size > widthLimit(this.slots[0]!)) this.grow(this.slots[0]!.length);
    for (let i = 0; i < this.slots.length; i++) this.slots[i]![rowid] = codes[i] ?? 0;
    if (codes.length > this.slots.length) this.overflow.set(rowid, codes.slice(this.slots.length));
    else this.overflow.delete(rowid);
  }

  /** Calls fn for each value code of the document. */
  forEachCode(rowid: number, fn: (code: number) => void): void {
    for (const slot of this.slots) {
      const code = slot[rowid]!;
      if (code === 0) return;
      fn(code);
    }
    const more = this.overflow.get(rowid);
    if (more) for (const code of more) fn(code);
  }
}

export type Column = CodeColumn | MultiCodeColumn;
