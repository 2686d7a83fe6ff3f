import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('./results', import.meta.url));

export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Print a two-column table and write the same rows as JSON under bench/results/. */
export function report(name: string, rows: ReadonlyArray<readonly [string, string | number, string?]>, extra: Record<string, unknown> = {}): void {
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${name}`);
  console.log(`${'metric'.padEnd(w)}  value`);
  for (const [k, v, bar] of rows) console.log(`${k.padEnd(w)}  ${v}${bar ? `   (${bar})` : ''}`);
  writeResults(name, { rows: Object.fromEntries(rows.map((r) => [r[0], r[1]])), ...extra });
}

/** Write a benchmark's results as bench/results/<name>.json (gitignored), stamped with the time. */
export function writeResults(name: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, at: new Date().toISOString(), ...data }, null, 2));
  console.log(`\nwritten to ${file}`);
  return file;
}

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
