// Smoke check for the local test Elasticsearch started by test/services/elasticsearch.sh.
//
//   node test/services/es-smoke.mjs            # against http://127.0.0.1:9200
//   ES_URL=http://127.0.0.1:9201 node test/services/es-smoke.mjs
//
// Exercises what allears' Elasticsearch store relies on: the english and whitespace analyzers in a
// mapping, the cjk analyzer, bulk indexing, a match query, terms and date_histogram aggregations,
// rollover through a write alias, optimistic concurrency (if_seq_no / if_primary_term) and
// _delete_by_query. Creates its own indices and deletes them at the end. Exits non-zero on the first
// failed check.
import assert from 'node:assert/strict';
import { Client, errors } from '@elastic/elasticsearch';

const url = process.env.ES_URL ?? 'http://127.0.0.1:9200';
const client = new Client({ node: url });
const stamp = `${Date.now()}`;
const alias = `allears-smoke-${stamp}`;
const first = `${alias}-000001`;

function ok(name, detail) {
  console.log(`ok   ${name}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
}

async function main() {
  const info = await client.info();
  ok('info', { version: info.version.number, cluster: info.cluster_name });

  await client.indices.create({
    index: first,
    aliases: { [alias]: { is_write_index: true } },
    settings: { number_of_shards: 1, number_of_replicas: 0 },
    mappings: {
      properties: {
        body: { type: 'text', analyzer: 'english' },
        tags: { type: 'text', analyzer: 'whitespace' },
        source: { type: 'keyword' },
        created_at: { type: 'date' },
        rating: { type: 'integer' },
      },
    },
  });
  ok('create index with english + whitespace analyzers', first);

  const docs = [
    { id: '1', body: 'The drivers were running late and the parcels arrived damaged', tags: 'delivery late-arrival', source: 'app_store', created_at: '2026-11-02T10:00:00Z', rating: 1 },
    { id: '2', body: 'Runs smoothly since the last update', tags: 'app praise', source: 'app_store', created_at: '2026-11-03T09:30:00Z', rating: 5 },
    { id: '3', body: 'I was charged twice and nobody answers', tags: 'billing charged-twice', source: 'zendesk', created_at: '2026-11-17T16:45:00Z', rating: 2 },
  ];
  const bulk = await client.bulk({
    refresh: true,
    operations: docs.flatMap(({ id, ...doc }) => [{ index: { _index: alias, _id: id } }, doc]),
  });
  assert.equal(bulk.errors, false, JSON.stringify(bulk.items));
  ok('bulk index', { items: bulk.items.length });

  // english analyzer: "run" matches "running" and "Runs" through stemming.
  const match = await client.search({ index: alias, query: { match: { body: 'run' } } });
  const matchIds = match.hits.hits.map((h) => h._id).sort();
  assert.deepEqual(matchIds, ['1', '2']);
  ok('match query (english stemming)', matchIds);

  // whitespace analyzer keeps "charged-twice" as one case-sensitive token.
  const ws = await client.search({ index: alias, query: { term: { tags: 'charged-twice' } } });
  assert.deepEqual(ws.hits.hits.map((h) => h._id), ['3']);
  const wsMiss = await client.search({ index: alias, query: { term: { tags: 'charged' } } });
  assert.equal(wsMiss.hits.hits.length, 0);
  ok('term query (whitespace tokens)', ['3']);

  // cjk analyzer (used when Chinese text is not pre-segmented): overlapping bigrams.
  const cjk = await client.indices.analyze({ analyzer: 'cjk', text: '退款太慢' });
  const bigrams = cjk.tokens.map((t) => t.token);
  assert.deepEqual(bigrams, ['退款', '款太', '太慢']);
  ok('cjk analyzer', bigrams);

  const aggs = await client.search({
    index: alias,
    size: 0,
    aggs: {
      by_source: { terms: { field: 'source' } },
      per_week: { date_histogram: { field: 'created_at', calendar_interval: 'week', min_doc_count: 1 } },
    },
  });
  const bySource = Object.fromEntries(aggs.aggregations.by_source.buckets.map((b) => [b.key, b.doc_count]));
  assert.deepEqual(bySource, { app_store: 2, zendesk: 1 });
  const perWeek = aggs.aggregations.per_week.buckets.map((b) => [b.key_as_string, b.doc_count]);
  assert.deepEqual(perWeek.map(([, n]) => n), [2, 1]);
  ok('terms aggregation', bySource);
  ok('date_histogram aggregation', perWeek);

  const rollover = await client.indices.rollover({ alias });
  assert.equal(rollover.rolled_over, true);
  assert.equal(rollover.old_index, first);
  const second = rollover.new_index;
  assert.equal(second, `${alias}-000002`);
  const written = await client.index({ index: alias, id: '4', refresh: true, document: { body: 'New index after rollover', source: 'reddit', created_at: '2026-11-20T08:00:00Z', rating: 3 } });
  assert.equal(written._index, second);
  const count = await client.count({ index: alias });
  assert.equal(count.count, 4);
  ok('rollover via write alias', { old: first, new: second, write_goes_to: written._index, docs_behind_alias: count.count });

  const current = await client.get({ index: first, id: '1' });
  const updated = await client.update({
    index: first,
    id: '1',
    if_seq_no: current._seq_no,
    if_primary_term: current._primary_term,
    doc: { rating: 2 },
    refresh: true,
  });
  assert.equal(updated.result, 'updated');
  let conflict = null;
  try {
    await client.update({
      index: first,
      id: '1',
      if_seq_no: current._seq_no,
      if_primary_term: current._primary_term,
      doc: { rating: 3 },
    });
  } catch (err) {
    conflict = err;
  }
  assert.ok(conflict instanceof errors.ResponseError, 'stale if_seq_no must be rejected');
  assert.equal(conflict.meta.statusCode, 409);
  const after = await client.get({ index: first, id: '1' });
  assert.equal(after._source.rating, 2);
  ok('update with if_seq_no/if_primary_term', { seq_no: `${current._seq_no} -> ${updated._seq_no}`, stale_write: 409 });

  // _delete_by_query (GDPR erasure, purging a source): only the matching documents go.
  const erased = await client.deleteByQuery({ index: alias, refresh: true, query: { term: { source: 'app_store' } } });
  assert.equal(erased.deleted, 2);
  assert.equal(erased.version_conflicts, 0);
  const left = await client.search({ index: alias, query: { match_all: {} } });
  assert.deepEqual(left.hits.hits.map((h) => h._id).sort(), ['3', '4']);
  ok('delete_by_query', { deleted: erased.deleted, total: erased.total, left: ['3', '4'] });

  // Scripts need the lang-painless module, which this test server does not have (see README.md).
  try {
    await client.update({ index: first, id: '3', script: { source: 'ctx._source.rating += 1' } });
    ok('painless script update', 'available');
  } catch (err) {
    console.log(`info painless script update unavailable: ${err.meta?.body?.error?.caused_by?.reason ?? err.meta?.body?.error?.reason ?? err.message}`);
  }
}

try {
  await main();
  console.log('es-smoke: all checks passed');
} catch (err) {
  console.error('es-smoke: FAILED', err?.meta?.body ? JSON.stringify(err.meta.body) : err);
  process.exitCode = 1;
} finally {
  await client.indices.delete({ index: `${alias}-*`, ignore_unavailable: true }).catch(() => {});
  await client.close();
}
