import { z } from 'zod';
import { ConfigError, zodDetails } from '../../model/index.ts';

const size = z.string().regex(/^\d+(\.\d+)?(b|kb|mb|gb|tb|pb)$/iu, 'must be a byte size such as 50gb');
const age = z.string().regex(/^\d+(d|h|m|s|ms)$/u, 'must be a duration such as 30d or 12h');

/** When the write index is rolled over; any condition met is enough. */
export const RolloverConditions = z.object({
  maxPrimaryShardSize: size.optional(),
  maxAge: age.optional(),
  maxDocs: z.number().int().positive().optional(),
}).strict();
export type RolloverConditions = z.infer<typeof RolloverConditions>;

export const ElasticsearchAuth = z.union([
  z.object({ apiKey: z.string().min(1) }).strict(),
  z.object({ username: z.string().min(1), password: z.string().min(1) }).strict(),
]);
export type ElasticsearchAuth = z.infer<typeof ElasticsearchAuth>;

export const ElasticsearchIndexOptions = z.object({
  /** e.g. http://127.0.0.1:9200 */
  node: z.url({ protocol: /^https?$/u, message: 'must be an http(s) URL such as http://127.0.0.1:9200' }),
  /** Names every index, alias and the template: `<prefix>-feedback`, `<prefix>-feedback-000001`… */
  indexPrefix: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/u, 'lower-case letters, digits, _ and - only, starting with a letter or digit').default('allears'),
  /** From the environment only (see elasticsearchOptionsFromEnv); never logged. */
  auth: ElasticsearchAuth.optional(),
  shards: z.number().int().min(1).max(1024).default(1),
  replicas: z.number().int().min(0).max(16).default(1),
  /** Periodic refresh of the backing indices, e.g. "1s" (the engine's default when unset). */
  refreshInterval: z.string().regex(/^(-1|\d+(ms|s|m))$/u).optional(),
  rollover: RolloverConditions.default({ maxPrimaryShardSize: '50gb', maxAge: '30d' }),
  /**
   * How upserts become visible to searches: 'wait_for' (default) returns once a refresh shows them,
   * true refreshes at once (tests, small volumes), false returns at once and the next periodic
   * refresh shows them (workers: a bulk write no longer waits up to refreshInterval). Label and
   * case updates made by people always wait for the refresh (or refresh at once when true).
   */
  refresh: z.union([z.boolean(), z.literal('wait_for')]).default('wait_for'),
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** Attempts per bulk item that failed with 429/5xx (the first included), with exponential backoff. */
  maxItemAttempts: z.number().int().min(1).max(20).default(5),
  retryBaseMs: z.number().int().min(0).max(60_000).default(200),
});
export type ElasticsearchIndexOptions = z.input<typeof ElasticsearchIndexOptions>;
export type ElasticsearchIndexSettings = z.output<typeof ElasticsearchIndexOptions>;

export function parseOptions(input: ElasticsearchIndexOptions): ElasticsearchIndexSettings {
  const r = ElasticsearchIndexOptions.safeParse(input);
  if (!r.success) throw new ConfigError('invalid Elasticsearch options', zodDetails(r.error.issues, 'elasticsearch'));
  return r.data;
}

/**
 * Credentials from the environment: ALLEARS_ELASTICSEARCH_API_KEY, or ALLEARS_ELASTICSEARCH_USERNAME
 * and ALLEARS_ELASTICSEARCH_PASSWORD together. Never read from the config file.
 */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env): ElasticsearchAuth | undefined {
  const apiKey = env.ALLEARS_ELASTICSEARCH_API_KEY;
  if (apiKey) return { apiKey };
  const username = env.ALLEARS_ELASTICSEARCH_USERNAME;
  const password = env.ALLEARS_ELASTICSEARCH_PASSWORD;
  if (username && password) return { username, password };
  if (username || password) {
    throw new ConfigError('incomplete Elasticsearch credentials', [{
      path: username ? 'ALLEARS_ELASTICSEARCH_PASSWORD' : 'ALLEARS_ELASTICSEARCH_USERNAME',
      message: 'must be set together with the other one',
    }]);
  }
  return undefined;
}

/**
 * Options from the deployment config (`elasticsearchUrl`, already overridden by
 * ALLEARS_ELASTICSEARCH_URL when the config loader ran) and the credentials in the environment.
 * `settings` takes the optional index settings (prefix, shards, replicas, rollover…).
 */
export function elasticsearchOptionsFromConfig(
  deployment: { elasticsearchUrl: string },
  settings: Omit<ElasticsearchIndexOptions, 'node' | 'auth'> = {},
  env: NodeJS.ProcessEnv = process.env,
): ElasticsearchIndexOptions {
  const auth = authFromEnv(env);
  return { ...settings, node: env.ALLEARS_ELASTICSEARCH_URL ?? deployment.elasticsearchUrl, ...(auth ? { auth } : {}) };
}
