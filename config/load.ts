import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, formatPath, type ErrorDetail } from '../model/index.ts';
import { Config, type ConfigInput } from './schema.ts';

export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('./allears.yaml', import.meta.url));

/** Deployment settings that environment variables override: (variable, config path, type). */
const ENV_OVERRIDES: ReadonlyArray<readonly [string, keyof Config['deployment'], 'string' | 'int']> = [
  // PORT first, so the more specific ALLEARS_PORT wins when both are set.
  ['PORT', 'port', 'int'],
  ['ALLEARS_PORT', 'port', 'int'],
  ['ALLEARS_HOST', 'host', 'string'],
  ['ALLEARS_DATA_DIR', 'dataDir', 'string'],
  ['ALLEARS_STORE', 'store', 'string'],
  ['ALLEARS_QUEUE', 'queue', 'string'],
  ['ALLEARS_REDIS_URL', 'redisUrl', 'string'],
  ['ALLEARS_REDIS_PREFIX', 'redisPrefix', 'string'],
  ['ALLEARS_ELASTICSEARCH_URL', 'elasticsearchUrl', 'string'],
  ['ALLEARS_LOG_LEVEL', 'logLevel', 'string'],
];

export interface LoadOptions {
  /** Config file; defaults to $ALLEARS_CONFIG, then config/allears.yaml. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** Merged over the file (tests use it to change one setting). */
  overrides?: DeepPartial<ConfigInput>;
}
type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

/**
 * Read, merge and validate the configuration. Every problem is collected and reported at once as
 * `file: path: reason`, so a person fixes them in one go.
 */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.path ?? env.ALLEARS_CONFIG ?? DEFAULT_CONFIG_PATH;
  const problems: ErrorDetail[] = [];

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read config (${(err as NodeJS.ErrnoException).code ?? String(err)})`, [
      { path: file, message: 'cannot read file' },
    ]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  for (const e of doc.errors) {
    const line = e.linePos?.[0];
    problems.push({ path: `${file}${line ? `:${line.line}:${line.col}` : ''}`, message: e.message.split('\n')[0]! });
  }
  const fromFile = (doc.errors.length ? {} : (doc.toJS() ?? {})) as Record<string, unknown>;
  if (typeof fromFile !== 'object' || Array.isArray(fromFile)) {
    problems.push({ path: file, message: 'expected a mapping at the top level' });
  }

  const merged = deepMerge(fromFile, (opts.overrides ?? {}) as Record<string, unknown>);
  const deployment = { ...((merged.deployment as Record<string, unknown>) ?? {}) };
  for (const [name, key, type] of ENV_OVERRIDES) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (type === 'int') {
      const n = Number(raw);
      if (!Number.isInteger(n)) {
        problems.push({ path: `env ${name}`, message: `expected an integer, got "${raw}"` });
        continue;
      }
      deployment[key] = n;
    } else deployment[key] = raw;
  }
  merged.deployment = deployment;

  const parsed = Config.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push({ path: `${file}: ${formatPath('', issue.path) || '(root)'}`, message: issue.message });
  } else {
    problems.push(...crossChecks(parsed.data).map((p) => ({ ...p, path: `${file}: ${p.path}` })));
  }
  if (problems.length) {
    const lines = problems.map((p) => `${p.path}: ${p.message}`);
    throw new ConfigError(`invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  ${lines.join('\n  ')}`, problems);
  }
  return parsed.data!;
}

/** Rules that span several fields: ids must be unique, level thresholds must rise. */
function crossChecks(cfg: Config): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const unique = (ids: string[], where: (i: number) => string) => {
    const seen = new Map<string, number>();
    ids.forEach((id, i) => {
      if (seen.has(id)) out.push({ path: where(i), message: `duplicate id "${id}" (first at index ${seen.get(id)})` });
      else seen.set(id, i);
    });
  };
  unique(cfg.sources.map((s) => s.id), (i) => `sources[${i}].id`);
  unique(cfg.taxonomy.topics.map((t) => t.id), (i) => `taxonomy.topics[${i}].id`);
  unique(cfg.journeys.map((j) => j.id), (i) => `journeys[${i}].id`);
  const tps = cfg.journeys.flatMap((j, ji) => j.touchpoints.map((t, ti) => ({ id: t.id, path: `journeys[${ji}].touchpoints[${ti}].id` })));
  unique(tps.map((t) => t.id), (i) => tps[i]!.path);
  const { medium, high, critical } = cfg.escalation.levels;
  if (!(medium < high && high < critical)) out.push({ path: 'escalation.levels', message: 'expected medium < high < critical' });
  cfg.sources.forEach((s, i) => {
    if (s.enabled && s.schedule === undefined && s.kind !== 'webhook') {
      out.push({ path: `sources[${i}].schedule`, message: 'expected a duration like "15m" for a scheduled source' });
    }
  });
  return out;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(v) && isPlain(b) ? deepMerge(b, v) : v;
  }
  return out;
}
const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export type { Config };
