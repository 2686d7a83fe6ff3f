import { describe, expect, test } from 'vitest';
import { CodeColumn, Dictionary, MultiCodeColumn } from '../../../store/sqlite/columns.ts';

describe('Dictionary', () => {
  test('should give each distinct value one code starting at 1', () => {
    const d = new Dictionary();
    expect(d.intern('a')).toBe(1);
    expect(d.intern('b')).toBe(2);
    expect(d.intern('a')).toBe(1);
    expect(d.values).toEqual(['', 'a', 'b']);
  });

  test('should build an allow table that ignores unknown values', () => {
    const d = new Dictionary();
    d.intern('a');
    d.intern('b');
    expect([...d.allowTable(['b', 'zzz'])]).toEqual([0, 0, 1]);
  });
});

describe('CodeColumn', () => {
  test('should widen from 8 to 16 bits when the dictionary outgrows a byte, keeping values', () => {
    const c = new CodeColumn(400);
    for (let r = 1; r < 400; r++) c.set(r, `v${r}`);
    expect(c.codes).toBeInstanceOf(Uint16Array);
    expect(c.get(1)).toBe('v1');
    expect(c.get(399)).toBe('v399');
    c.set(5, undefined);
    expect(c.get(5)).toBeUndefined();
  });
});

describe('MultiCodeColumn', () => {
  const values = (col: MultiCodeColumn, rowid: number) => {
    const out: string[] = [];
    col.forEachCode(rowid, (code) => out.push(col.dict.values[code]!));
    return out;
  };

  test('should hold more values than slots and forget extra ones on update', () => {
    const col = new MultiCodeColumn(8);
    col.set(1, ['a', 'b', 'c', 'd', 'e']);
    col.set(2, ['a', 'a']);
    expect(values(col, 1)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(values(col, 2)).toEqual(['a']);
    col.set(1, ['x']);
    expect(values(col, 1)).toEqual(['x']);
    expect(col.overflow.size).toBe(0);
  });

  test('should widen its slots when many distinct values appear', () => {
    const col = new MultiCodeColumn(4);
    for (let i = 0; i < 300; i++) col.set(1, [`t${i}`]);
    col.set(2, ['t299', 't0']);
    expect(values(col, 2)).toEqual(['t299', 't0']);
  });
});
