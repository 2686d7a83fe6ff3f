import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/server.ts';

/** DESIGN.md's rooms, top to bottom: a room may import only itself and the rooms above it. */
const ROOMS = ['model', 'config', 'store', 'pipeline', 'crawlers', 'surveys', 'respond', 'api', 'dashboards', 'cli'];

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

describe('architecture', () => {
  test('imports point only up the list of rooms in DESIGN.md', () => {
    const violations: string[] = [];
    for (const room of ROOMS) {
      let files: string[];
      try { files = [...sourceFiles(join(ROOT, room))]; } catch { continue; }
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
          const target = relative(ROOT, resolve(dirname(file), m[1]!)).split(sep)[0]!;
          const from = ROOMS.indexOf(room);
          const to = ROOMS.indexOf(target);
          if (to > from) violations.push(`${relative(ROOT, file)} imports ${m[1]} (${room} → ${target})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
