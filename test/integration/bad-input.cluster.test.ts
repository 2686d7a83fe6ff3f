import { describe, test } from 'vitest';
import { clusterAvailable, clusterTestRuntime } from '../helpers/runtime.ts';
import { badInputSuite } from './bad-input.suite.ts';

const available = await clusterAvailable('the bad-input tests on Redis + Elasticsearch');

// Each run gets a Redis prefix and an index prefix of its own, removed when the runtime closes.
if (available) badInputSuite('cluster: Elasticsearch + BullMQ', (overrides) => clusterTestRuntime(overrides));
else describe.skip('bad input (cluster: Elasticsearch + BullMQ)', () => test('needs Redis and Elasticsearch', () => undefined));
