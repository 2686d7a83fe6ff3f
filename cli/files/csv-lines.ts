/**
 * Finds the line a CSV record starts on, reading the same text csv-parse reads. csv-parse's own
 * line count drifts on CRLF files with quoted newlines, and a record may span several lines, but
 * its byte offsets are exact: the tracker notes the byte offset and line where each record starts,
 * and the parser's offset (end of a record, or where an error was found) tells which record it was.
 * Same rules as the parser: a quote opens a field only at its start, "" is a literal quote, and
 * empty lines are not records.
 */
export class CsvLineTracker {
  private line = 1;
  private bytes = 0;
  private inQuotes = false;
  private quotePending = false;
  private fieldStart = true;
  private recordEmpty = true;
  private startBytes: number[] = [];
  private startLines: number[] = [];
  private head = 0;
  private current = 1;
  private readonly delimiter: number;

  constructor(delimiter: string) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  feed(chunk: string): void {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      const at = this.bytes;
      // UTF-8 length, as csv-parse counts: surrogate pairs make 2 + 2.
      this.bytes += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === 34) continue; // "" inside a quoted field
          this.inQuotes = false; // the previous quote closed the field; read c below
        } else {
          if (c === 34) this.quotePending = true;
          else if (c === 10) this.line++;
          continue;
        }
      }
      if (c === 10) {
        this.line++;
        this.recordEmpty = true;
        this.fieldStart = true;
        continue;
      }
      if (c === 13) continue;
      if (this.recordEmpty) {
        this.startBytes.push(at);
        this.startLines.push(this.line);
        this.recordEmpty = false;
      }
      if (c === 34 && this.fieldStart) {
        this.inQuotes = true;
        this.fieldStart = false;
        continue;
      }
      this.fieldStart = c === this.delimiter;
    }
  }

  /** The start line of the record that contains (or ends just before) byte `offset`. Offsets only grow. */
  lineAt(offset: number): number {
    while (this.head < this.startBytes.length && this.startBytes[this.head]! < offset) {
      this.current = this.startLines[this.head]!;
      this.head++;
    }
    if (this.head > 4096) {
      this.startBytes = this.startBytes.slice(this.head);
      this.startLines = this.startLines.slice(this.head);
      this.head = 0;
    }
    return this.current;
  }
}
