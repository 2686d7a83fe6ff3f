import { Client } from '@elastic/elasticsearch';
import { afterAll, describe, expect, test } from 'vitest';
import { feedbackId } from '../../model/index.ts';
import { makeItems } from '../helpers/items.ts';
import {
  clusterAvailable, clusterNames, clusterProcessEnv, refreshIndices, startRole, TEST_ELASTICSEARCH_URL, type ClusterNames,
} from '../helpers/runtime.ts';
import { freePort, stop, type Proc } from '../helpers/server.ts';
import { getJson, tempDir, waitFor } from '../helpers/tmp.ts';

const available = await clusterAvailable('the cluster worker-kill test');
const N = 3000;

describe.skipIf(!available)('cluster mode: a worker process killed mid-batch', () => {
  const procs: Proc[] = [];
  let t: ReturnType<typeof tempDir> | undefined;
  let names: ClusterNames | undefined;
  let es: Client | undefined;
  afterAll(async () => {
    for (const p of procs) await stop(p, 'SIGKILL');
    await names?.drop();
    await es?.close();
    t?.cleanup();
  });

  test('loses nothing and stores nothing twice: the other worker takes the killed batch over', async () => {
    t = tempDir();
    names = clusterNames();
    const client = new Client({ node: TEST_ELASTICSEARCH_URL, requestTimeout: 30_000 });
    es = client;
    // Small batches, so there are many; a lock the killed worker stops renewing lapses within
    // seconds, and the stalled-job check of the surviving worker puts its batch back to wait.
    const env = clusterProcessEnv(t.dir, names, { worker: { threads: 0, batchSize: 50, lockDuration: '5s', stalledInterval: '2s' } });
    const [api, a, b] = await Promise.all([
      freePort().then((port) => startRole('api', env, port)),
      startRole('worker', env),
      startRole('worker', env),
    ]);
    procs.push(api!, a!, b!);
    const readAlias = `${names.indexPrefix}-feedback-read`;
    const indexed = async () => (await client.count({ index: readAlias })).count;

    const items = makeItems(N, { prefix: 'kill', source: 'kill' });
    const res = await fetch(`${api!.url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(items) });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(N);

    // Some batches are in, most are not: both workers are in the middle of one.
    const atKill = await waitFor(async () => {
      const n = await indexed();
      return n >= 300 && n;
    }, { timeoutMs: 120_000, intervalMs: 50, what: 'the first batches to be indexed' });
    a!.child.kill('SIGKILL');
    await new Promise((r) => a!.child.once('exit', r));
    expect(atKill).toBeLessThan(N);
    const get = (path: string) => getJson(`${api!.url}${path}`);
    // The killed worker's batch still counts as active (its lock has not lapsed yet), beside the
    // one the surviving worker is processing: it died mid-batch.
    const ingest = (await get('/api/queue')).queues.find((q: { queue: string }) => q.queue === 'ingest');
    expect(ingest.active).toBe(2);
    await waitFor(async () => {
      const q = await get('/api/queue');
      const dead = q.queues.some((s: { dead: number }) => s.dead > 0);
      return dead || q.queues.every((s: { waiting: number; active: number; delayed: number }) => s.waiting + s.active + s.delayed === 0);
    }, { timeoutMs: 150_000, intervalMs: 250, what: 'the surviving worker to finish every batch' });
    const queue = await get('/api/queue');
    expect(queue.queues.reduce((s: number, q: { dead: number }) => s + q.dead, 0), JSON.stringify(queue.deadLetters)).toBe(0);
    // Workers do not wait for a refresh (elasticsearch.refresh false): make their last writes searchable.
    await refreshIndices(names.indexPrefix);

    expect((await get('/api/feedback?source=kill&includeDuplicates=true&limit=1')).total).toBe(N);
    expect(await indexed()).toBe(N);
    // No id stored twice, in any backing index.
    const twice = await client.search({
      index: readAlias, size: 0,
      aggs: { ids: { terms: { field: 'id', min_doc_count: 2, size: 10 } } },
    });
    expect((twice.aggregations!.ids as { buckets: unknown[] }).buckets).toEqual([]);
    // A sample of items: found by their own marker, exactly once each, as themselves.
    for (let k = 0; k < 50; k++) {
      const i = Math.floor((k * N) / 50) + (k % 7);
      const id = feedbackId('kill', `kill-${i}`);
      const byExternalId = await client.count({ index: readAlias, query: { term: { externalId: `kill-${i}` } } });
      expect(byExternalId.count, `kill-${i}`).toBe(1);
      const hits = await get(`/api/feedback?source=kill&includeDuplicates=true&q=killx${i}`);
      expect(hits.total, `killx${i}`).toBe(1);
      expect(hits.items[0].id).toBe(id);
    }
    expect(b!.child.exitCode).toBeNull();
  }, 180_000);
});
