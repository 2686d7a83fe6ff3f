/** Where progress is drawn: a terminal gets a live bar, anything else (CI logs, files) a line now and then. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  label: string;
  /** Items expected, when known. */
  total?: number;
  /** Bytes expected (the file size); with the bytes read passed to `tick` it gives the fraction done and the ETA. */
  totalBytes?: number;
  stream?: ProgressStream;
  /** How often a line is printed when the stream is not a terminal (default 5 s). */
  intervalMs?: number;
  now?: () => number;
}

export interface Progress {
  /** `n` more items done; `bytesRead` is how far into the input we are, when counting bytes. */
  tick(n?: number, bytesRead?: number): void;
  /** Final line; `summary` replaces the default "N items in Ts (R/s)". */
  done(summary?: string): void;
}

/** A terminal redraws at most this often, so drawing never costs more than the work it shows. */
const REDRAW_MS = 100;
const BAR_WIDTH = 24;

const count = (n: number) => Math.round(n).toLocaleString('en-US');

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const tty = stream.isTTY === true;
  const interval = tty ? REDRAW_MS : (opts.intervalMs ?? 5000);
  const started = now();
  let items = 0;
  let bytes = 0;
  let lastDraw = started;
  let finished = false;

  const fraction = (): number | undefined => {
    if (opts.total) return Math.min(1, items / opts.total);
    if (opts.totalBytes && bytes) return Math.min(1, bytes / opts.totalBytes);
    return undefined;
  };

  const status = (t: number): string => {
    const elapsed = Math.max(1, t - started);
    const rate = (items * 1000) / elapsed;
    const f = fraction();
    const parts = [`${count(items)}${opts.total ? `/${count(opts.total)}` : ''} items`, `${count(rate)}/s`];
    if (f !== undefined && f > 0 && f < 1) parts.push(`ETA ${duration((elapsed * (1 - f)) / f)}`);
    if (!tty) return `${opts.label}: ${f !== undefined ? `${Math.floor(f * 100)}% · ` : ''}${parts.join(' · ')}`;
    const bar = f === undefined ? '' : `[${'#'.repeat(Math.round(f * BAR_WIDTH)).padEnd(BAR_WIDTH, '-')}] ${String(Math.floor(f * 100)).padStart(3)}% `;
    return `${opts.label} ${bar}${parts.join(' · ')}`;
  };

  // \r goes back to the start of the line and \x1b[K clears what is left of the previous draw.
  const draw = (t: number) => {
    const line = status(t);
    const width = stream.columns ?? 120;
    stream.write(tty ? `\r${line.slice(0, width - 1)}\x1b[K` : `${line}\n`);
    lastDraw = t;
  };

  return {
    tick(n = 1, bytesRead?: number) {
      items += n;
      if (bytesRead !== undefined) bytes = bytesRead;
      const t = now();
      if (!finished && t - lastDraw >= interval) draw(t);
    },
    done(summary?: string) {
      if (finished) return;
      finished = true;
      const t = now();
      const secs = (t - started) / 1000;
      const text = summary ?? `${count(items)} items in ${secs.toFixed(1)}s (${count(items / Math.max(secs, 0.001))}/s)`;
      stream.write(tty ? `\r${opts.label}: ${text}\x1b[K\n` : `${opts.label}: ${text}\n`);
    },
  };
}
