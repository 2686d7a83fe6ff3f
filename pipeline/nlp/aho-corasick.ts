/**
 * Aho-Corasick compiled to a dense DFA: one table lookup per input character, no Map in the hot
 * loop. Characters outside the patterns' alphabet send the automaton back to the root. ASCII
 * letters are folded to lower case, so patterns are matched case-insensitively without copying the text.
 */
export class AhoCorasick {
  /** Pattern lengths, by pattern index. */
  readonly lengths: Int32Array;
  private readonly charClass = new Uint16Array(0x10000);
  private readonly width: number;
  private readonly delta: Int32Array;
  private readonly outStart: Int32Array;
  private readonly outList: Int32Array;

  constructor(patterns: readonly string[]) {
    const lowered = patterns.map((p) => p.toLowerCase());
    this.lengths = Int32Array.from(lowered, (p) => p.length);
    let classes = 1;
    for (const p of lowered) {
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        if (this.charClass[c] === 0) this.charClass[c] = classes++;
      }
    }
    for (let c = 0x41; c <= 0x5a; c++) this.charClass[c] = this.charClass[c + 0x20]!;
    this.width = classes;

    // Trie first, with Map children (built once), then failure links and the dense table.
    const next: Map<number, number>[] = [new Map()];
    const out: number[][] = [[]];
    lowered.forEach((p, pi) => {
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const a = this.charClass[p.charCodeAt(i)]!;
        let t = next[s]!.get(a);
        if (t === undefined) {
          t = next.push(new Map()) - 1;
          out.push([]);
          next[s]!.set(a, t);
        }
        s = t;
      }
      out[s]!.push(pi);
    });
    const states = next.length;
    const delta = new Int32Array(states * classes);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (const [a, t] of next[0]!) {
      delta[a] = t;
      queue.push(t);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      out[s]!.push(...out[fail[s]!]!);
      for (let a = 1; a < classes; a++) {
        const t = next[s]!.get(a);
        if (t === undefined) delta[s * classes + a] = delta[fail[s]! * classes + a]!;
        else {
          fail[t] = delta[fail[s]! * classes + a]!;
          delta[s * classes + a] = t;
          queue.push(t);
        }
      }
    }
    this.delta = delta;
    this.outStart = new Int32Array(states + 1);
    for (let s = 0; s < states; s++) this.outStart[s + 1] = this.outStart[s]! + out[s]!.length;
    this.outList = Int32Array.from(out.flat());
  }

  /** Calls `onMatch(pattern, start, end)` for every occurrence, in order of `end`. */
  scan(text: string, onMatch: (pattern: number, start: number, end: number) => void): void {
    const { charClass, delta, width, outStart, outList, lengths } = this;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      s = delta[s * width + charClass[text.charCodeAt(i)]!]!;
      const from = outStart[s]!;
      const to = outStart[s + 1]!;
      for (let k = from; k < to; k++) {
        const p = outList[k]!;
        onMatch(p, i + 1 - lengths[p]!, i + 1);
      }
    }
  }
}
