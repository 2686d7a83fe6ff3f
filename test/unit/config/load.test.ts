import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../config/load.ts';
import { parseDuration } from '../../../config/schema.ts';
import { ConfigError } from '../../../model/index.ts';
import { ROOT, writeConfig } from '../../helpers/server.ts';
import { tempDir } from '../../helpers/tmp.ts';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).details.map((d) => `${d.path}: ${d.message}`);
  }
  throw new Error('expected a ConfigError');
};

describe('config loader', () => {
  const dirs: Array<() => void> = [];
  afterEach(() => dirs.splice(0).forEach((c) => c()));
  const dir = () => { const t = tempDir(); dirs.push(t.cleanup); return t.dir; };

  test('loads the default config with its taxonomy, journeys and the demo source', () => {
    const cfg = loadConfig({ env: {} });
    expect(cfg.deployment).toMatchObject({ port: 3000, store: 'sqlite', queue: 'local' });
    expect(cfg.taxonomy.topics.map((t) => t.id)).toContain('delivery');
    expect(cfg.journeys.flatMap((j) => j.touchpoints.map((t) => t.id))).toContain('checkout');
    expect(cfg.sources[0]).toMatchObject({ id: 'demo', kind: 'demo', schedule: 5000 });
    expect(cfg.escalation.signals.regulator.keywords.zh).toContain('12315');
  });

  test('lets environment variables override deployment settings', () => {
    const cfg = loadConfig({ env: { ALLEARS_PORT: '8080', ALLEARS_DATA_DIR: '/var/lib/allears', ALLEARS_STORE: 'elasticsearch' } });
    expect(cfg.deployment).toMatchObject({ port: 8080, dataDir: '/var/lib/allears', store: 'elasticsearch' });
  });

  test('prefers ALLEARS_PORT over the generic PORT', () => {
    expect(loadConfig({ env: { ALLEARS_PORT: '8080', PORT: '3000' } }).deployment.port).toBe(8080);
    expect(loadConfig({ env: { PORT: '3000' } }).deployment.port).toBe(3000);
  });

  test('reports every problem at once, with the file and the path', () => {
    const d = dir();
    const file = writeConfig(d, (c) => {
      (c.sources as unknown[]).push({ id: 'forum', kind: 'rss', schedule: '15 minutes' }, { id: 'forum', kind: 'rss', schedule: '1h' });
      ((c.escalation as Record<string, Record<string, unknown>>).levels!).high = 0.1;
      (c.deployment as Record<string, unknown>).store = 'postgres';
    });
    const problems = problemsOf(() => loadConfig({ path: file, env: { ALLEARS_PORT: 'eighty' } }));
    expect(problems).toEqual(expect.arrayContaining([
      `${file}: sources[1].schedule: expected a duration like "15m"`,
      'env ALLEARS_PORT: expected an integer, got "eighty"',
    ]));
    expect(problems.some((p) => p.startsWith(`${file}: deployment.store:`))).toBe(true);
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });

  test('reports cross-field problems: duplicate ids and thresholds out of order', () => {
    const d = dir();
    const file = writeConfig(d, (c) => {
      (c.sources as unknown[]).push({ id: 'demo', kind: 'demo', schedule: '1m' });
      ((c.escalation as Record<string, Record<string, unknown>>).levels!).high = 0.1;
    });
    const problems = problemsOf(() => loadConfig({ path: file, env: {} }));
    expect(problems).toContain(`${file}: sources[1].id: duplicate id "demo" (first at index 0)`);
    expect(problems).toContain(`${file}: escalation.levels: expected medium < high < critical`);
  });

  test('reports YAML syntax errors with the line', () => {
    const file = join(dir(), 'broken.yaml');
    writeFileSync(file, 'deployment:\n  port: 3000\n   host: [oops\n');
    const problems = problemsOf(() => loadConfig({ path: file, env: {} }));
    expect(problems[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
  });

  test('parses durations', () => {
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('15 minutes')).toBeNull();
  });

  test('the CLI exits non-zero and prints every problem when the config is invalid', () => {
    const file = writeConfig(dir(), (c) => { (c.sources as Array<Record<string, unknown>>)[0]!.schedule = 'often'; });
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), 'start'], {
      cwd: ROOT, env: { ...process.env, ALLEARS_CONFIG: file }, encoding: 'utf8', timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}: sources[0].schedule: expected a duration like "15m"`);
  });
});
