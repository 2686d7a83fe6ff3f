import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { DEFAULT_CONFIG_PATH } from '../../config/load.ts';
import { waitFor } from './tmp.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

/** The default config with changes, written to `dir/allears.yaml`. */
export function writeConfig(dir: string, change: (cfg: Record<string, unknown>) => void): string {
  const cfg = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
  change(cfg);
  const file = join(dir, 'allears.yaml');
  writeFileSync(file, stringify(cfg));
  return file;
}

export interface Proc {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Start `allears <command>` as a real process and wait until /healthz answers. */
export async function startAllears(command: string, env: Record<string, string>, port: number): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), command], {
    cwd: ROOT,
    env: { ...process.env, ALLEARS_PORT: String(port), ALLEARS_HOST: '127.0.0.1', ALLEARS_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`allears ${command} exited with ${child.exitCode}:\n${out}`);
    try {
      return (await fetch(`${url}/healthz`)).ok;
    } catch {
      return false;
    }
  }, { timeoutMs: 30_000, intervalMs: 100, what: `allears ${command} to answer /healthz` });
  return { child, url, output: () => out };
}

export async function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill(signal);
  await exited;
}
