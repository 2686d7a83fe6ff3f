import { describe, expect, test } from 'vitest';
import type { Config } from '../../../config/schema.ts';
import { authorKeyOf, escalationStage, type ContactHistory, type ContactQuery } from '../../../pipeline/stages/escalation.ts';
import type { Draft } from '../../../pipeline/stage.ts';
import { config, draft, run } from './helpers.ts';

const NOW = new Date('2025-03-01T12:00:00Z');
const ctx = (c: Config = config) => ({ config: c, fingerprints: { match: async () => new Map() }, now: NOW });

/** A store holding (author key, id, publishedAt) rows, answering as the port promises; records each call. */
function fakeHistory(rows: Array<{ key: string; id: string; at: string }>) {
  const calls: Array<{ queries: readonly ContactQuery[]; limit: number }> = [];
  const history: ContactHistory = {
    async recentByAuthor(queries, limit) {
      calls.push({ queries, limit });
      return queries.map((q) => rows.filter((r) => r.key === q.authorKey && r.at >= q.since && r.at <= q.until).map((r) => r.id).slice(0, limit));
    },
  };
  return { history, calls };
}

const tweet = (handle: string, publishedAt: string, text = 'Still waiting for my parcel') =>
  draft({ text, publishedAt, source: { id: 'x', kind: 'twitter' }, author: { handle } });
const signal = (d: Draft, id: string) => d.analysis.escalation!.signals.find((s) => s.id === id);

describe('repeat contact', () => {
  test('counts stored contacts by the same author in the window, plus this one, with the window in words', async () => {
    const { history, calls } = fakeHistory([
      { key: 'author:twitter:ann', id: 'a1', at: '2025-02-20T10:00:00.000Z' },
      { key: 'author:twitter:ann', id: 'a2', at: '2025-02-27T10:00:00.000Z' },
      { key: 'author:twitter:bob', id: 'b1', at: '2025-02-27T10:00:00.000Z' },
    ]);
    const [ann, bob] = await run([escalationStage({ contacts: history })], [tweet('ann', '2025-03-01T09:00:00Z'), tweet('bob', '2025-03-01T09:00:00Z')], ctx());
    expect(signal(ann!, 'repeatContact')).toEqual({ id: 'repeatContact', weight: 0.3, evidence: '3 contacts from this author in 14 days' });
    expect(signal(bob!, 'repeatContact')).toBeUndefined();
    // One call per batch, each query bounded by the configured window.
    expect(calls).toHaveLength(1);
    expect(calls[0]!.queries[0]).toEqual({ authorKey: 'author:twitter:ann', since: '2025-02-15T09:00:00.000Z', until: '2025-03-01T09:00:00.000Z' });
  });

  test('counts earlier items of the same batch, and an item the store already holds only once', async () => {
    const batch = [tweet('cat', '2025-02-25T09:00:00Z'), tweet('cat', '2025-02-26T09:00:00Z'), tweet('cat', '2025-02-28T09:00:00Z')];
    // A retried batch: the store already holds the first item.
    const { history } = fakeHistory([{ key: 'author:twitter:cat', id: batch[0]!.id, at: '2025-02-25T09:00:00.000Z' }]);
    const out = await run([escalationStage({ contacts: history })], batch, ctx());
    expect(out.map((d) => signal(d, 'repeatContact')?.evidence)).toEqual([undefined, undefined, '3 contacts from this author in 14 days']);
  });

  test('contacts outside the window do not count; the threshold and window come from config', async () => {
    const { history } = fakeHistory([{ key: 'customer:C-7', id: 'old', at: '2025-01-01T00:00:00.000Z' }, { key: 'customer:C-7', id: 'new', at: '2025-02-28T00:00:00.000Z' }]);
    const item = () => draft({ text: 'Where is my refund', publishedAt: '2025-03-01T00:00:00Z', customerRef: 'C-7' });
    expect(signal((await run([escalationStage({ contacts: history })], [item()], ctx()))[0]!, 'repeatContact')).toBeUndefined();
    const loose: Config = { ...config, escalation: { ...config.escalation, signals: { ...config.escalation.signals, repeatContact: { weight: 0.4, contacts: 2, window: 2 * 86_400_000 } } } };
    const [d] = await run([escalationStage({ contacts: history })], [item()], ctx(loose));
    expect(signal(d!, 'repeatContact')).toEqual({ id: 'repeatContact', weight: 0.4, evidence: '2 contacts from this customer in 2 days' });
  });

  test('without a history the batch alone is counted; items with no author are never counted', async () => {
    const batch = [tweet('dan', '2025-02-27T09:00:00Z'), tweet('dan', '2025-02-28T09:00:00Z'), tweet('dan', '2025-03-01T09:00:00Z'), draft({ text: 'anonymous' })];
    const out = await run([escalationStage()], batch, ctx());
    expect(signal(out[2]!, 'repeatContact')?.evidence).toBe('3 contacts from this author in 14 days');
    expect(signal(out[3]!, 'repeatContact')).toBeUndefined();
  });

  test('the author key prefers the customer, then the author id or handle on that kind of source', () => {
    expect(authorKeyOf({ customerRef: 'C-1', author: { id: '9' }, source: { id: 's', kind: 'weibo' } })).toBe('customer:C-1');
    expect(authorKeyOf({ author: { id: '9', handle: 'h' }, source: { id: 's', kind: 'weibo' } })).toBe('author:weibo:9');
    expect(authorKeyOf({ author: { name: 'Ann' }, source: { id: 's', kind: 'weibo' } })).toBeNull();
  });
});

describe('unresolved complaint', () => {
  const complaint = (publishedAt: string, status?: string, channel: 'complaint' | 'social' = 'complaint') =>
    draft({ channel, text: 'The refund never arrived', publishedAt, ...(status === undefined ? {} : { dimensions: { status } }) });

  test('a complaint still "In progress" after the configured age raises the signal with its age and status', async () => {
    const [d] = await run([escalationStage()], [complaint('2025-02-08T12:00:00Z', 'In progress')], ctx());
    expect(signal(d!, 'unresolved')).toEqual({ id: 'unresolved', weight: 0.35, evidence: 'unresolved for 21 days (status "In progress")' });
  });

  test('resolved, young, status-less or non-complaint items do not', async () => {
    const out = await run([escalationStage()], [
      complaint('2025-02-08T12:00:00Z', 'Closed with explanation'),
      complaint('2025-02-25T12:00:00Z', 'open'),
      complaint('2025-02-08T12:00:00Z'),
      complaint('2025-02-08T12:00:00Z', 'open', 'social'),
    ], ctx());
    expect(out.map((d) => signal(d, 'unresolved'))).toEqual([undefined, undefined, undefined, undefined]);
  });

  test('with assumeOpen an old complaint without any status counts as open', async () => {
    const c: Config = { ...config, escalation: { ...config.escalation, signals: { ...config.escalation.signals, unresolved: { ...config.escalation.signals.unresolved, assumeOpen: true, after: 7 * 86_400_000 } } } };
    const [d] = await run([escalationStage()], [complaint('2025-02-08T12:00:00Z')], ctx(c));
    expect(signal(d!, 'unresolved')?.evidence).toBe('unresolved for 21 days (no status)');
  });

  test('a complaint found by the complaint stage on a social channel counts too', async () => {
    const d = complaint('2025-02-01T12:00:00Z', 'pending', 'social');
    d.analysis.complaint = { is: true, probability: 0.9 };
    const [out] = await run([escalationStage()], [d], ctx());
    expect(signal(out!, 'unresolved')?.evidence).toBe('unresolved for 28 days (status "pending")');
  });
});

describe('repeat contact over a large batch', () => {
  /** A seeded generator, so a failure can be replayed. */
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  }

  /** The count by definition: stored ids and same-author batch ids in the window, distinct, this item's id counted once. */
  function expected(batch: readonly Draft[], stored: readonly string[][], window: number): number[] {
    return batch.map((d, i) => {
      const until = Date.parse(d.publishedAt);
      const ids = new Set(stored[i]);
      batch.forEach((o, j) => {
        const t = Date.parse(o.publishedAt);
        if (j !== i && o.author?.handle === d.author?.handle && t <= until && t >= until - window) ids.add(o.id);
      });
      ids.delete(d.id);
      return ids.size + 1;
    });
  }

  test('counts as the definition does, with shuffled times, equal times, repeated ids and stored contacts', async () => {
    const next = rng(7);
    const base = Date.parse('2025-03-01T00:00:00Z');
    const batch = Array.from({ length: 600 }, (_, k) => {
      const handle = `u${Math.floor(next() * 12)}`;
      // Whole hours over 40 days: many items share a time; some external ids repeat within an author.
      const publishedAt = new Date(base - Math.floor(next() * 960) * 3_600_000).toISOString();
      const externalId = next() < 0.1 ? `${handle}-dup` : `post-${k}`;
      return draft({ text: 'Still waiting', publishedAt, externalId, source: { id: 'x', kind: 'twitter' }, author: { handle } });
    });
    const storedRows = batch.filter(() => next() < 0.1).map((d, k) => ({ key: `author:twitter:${d.author!.handle}`, id: k % 2 ? d.id : `old-${k}`, at: d.publishedAt }));
    const { history, calls } = fakeHistory(storedRows);
    const loose: Config = { ...config, escalation: { ...config.escalation, signals: { ...config.escalation.signals, repeatContact: { weight: 0.3, contacts: 2, window: 14 * 86_400_000 } } } };
    const out = await run([escalationStage({ contacts: history })], batch, ctx(loose));
    const stored = await history.recentByAuthor(calls[0]!.queries, calls[0]!.limit);
    const want = expected(batch, stored, 14 * 86_400_000);
    const got = out.map((d) => Number(/^(\d+) contacts/.exec(signal(d, 'repeatContact')?.evidence ?? '')?.[1] ?? 1));
    expect(got).toEqual(want);
    // The case is not trivial: most items have company, some a lot.
    expect(want.filter((n) => n >= 2).length).toBeGreaterThan(500);
    expect(Math.max(...want)).toBeGreaterThan(15);
  });
});
