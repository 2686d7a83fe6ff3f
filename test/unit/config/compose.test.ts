import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../config/load.ts';

/**
 * docker-compose.yml cannot be started on machines without a Docker engine: these checks read it
 * and hold it to what README "Running at scale" promises.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
interface Service { image?: string; command?: string[]; environment?: Record<string, string>; ports?: string[]; container_name?: string; deploy?: { replicas?: number } }
const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as { services: Record<string, Service> };
const { services } = compose;

describe('docker-compose.yml', () => {
  test('runs redis, elasticsearch and the three roles, each role by its CLI command', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'crawler', 'elasticsearch', 'redis', 'worker']);
    for (const role of ['api', 'worker', 'crawler']) expect(services[role]!.command).toEqual([role]);
  });

  test('the roles\' environment selects the cluster backends through the config loader', () => {
    for (const role of ['api', 'worker', 'crawler']) {
      const env = { ...services[role]!.environment! };
      // Compose fills ${VAR:-} from the host; left empty here, as on a host without credentials.
      for (const [k, v] of Object.entries(env)) if (/^\$\{[A-Z_]+:-\}$/u.test(v)) delete env[k];
      const config = loadConfig({ env });
      expect(config.deployment).toMatchObject({ store: 'elasticsearch', queue: 'bullmq', redisUrl: 'redis://redis:6379', elasticsearchUrl: 'http://elasticsearch:9200' });
    }
  });

  test('credentials come from the host environment, never written in the file', () => {
    const env = services.api!.environment!;
    expect(env.ALLEARS_ELASTICSEARCH_API_KEY).toBe('${ALLEARS_ELASTICSEARCH_API_KEY:-}');
    expect(env.ALLEARS_REDIS_PASSWORD).toBe('${ALLEARS_REDIS_PASSWORD:-}');
  });

  test('workers can be scaled: no fixed name or host port', () => {
    expect(services.worker!.container_name).toBeUndefined();
    expect(services.worker!.ports).toBeUndefined();
    expect(services.crawler!.deploy?.replicas).toBe(1);
  });

  test('Elasticsearch is single-node, reachable from this host only, at the client\'s minor version', () => {
    const es = services.elasticsearch!;
    expect(es.environment!['discovery.type']).toBe('single-node');
    expect(es.ports).toEqual(['127.0.0.1:9200:9200']);
    const client = (JSON.parse(readFileSync(`${root}node_modules/@elastic/elasticsearch/package.json`, 'utf8')) as { version: string }).version;
    const minor = (v: string) => v.split('.').slice(0, 2).join('.');
    expect(minor(es.image!.split(':').at(-1)!)).toBe(minor(client));
  });
});
