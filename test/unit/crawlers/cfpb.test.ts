import { afterEach, describe, expect, test } from 'vitest';
import { cfpbSource } from '../../../crawlers/cfpb/source.ts';
import { MemoryCheckpointStore, runWithCheckpoint } from '../../../crawlers/checkpoint.ts';
import { SourceConfig } from '../../../config/schema.ts';
import { AllearsError, ConfigError, TransientError } from '../../../model/errors.ts';
import type { RawItemInput } from '../../../model/index.ts';
import { API_PATH, complaint, complaintSearch, narrative, type Complaint } from '../../fixtures/connectors/cfpb.ts';
import { fixtureServer, send, type FixtureServer } from '../../helpers/fixture-server.ts';
import { FAST, ids, signal, valid } from '../../helpers/connector.ts';

const NOW = new Date('2025-03-05T00:00:00Z');

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function source(url: string, options: Record<string, unknown> = {}) {
  return cfpbSource(SourceConfig.parse({ id: 'cfpb-acme', kind: 'cfpb', options: { company: 'ACME BANK, N.A.', baseUrl: `${url}${API_PATH}`, ...options } }), { http: FAST, now: () => NOW });
}

describe('cfpb connector', () => {
  test('should read a company\'s complaints newest first and map narrative, issue and dimensions', async () => {
    const data: Complaint[] = [
      narrative(9001, '2025-02-20', 'I disputed a charge of {$120.00} on XX/XX/2025 and ACME BANK never answered.', { state: 'TX', tags: 'Older American' }),
      complaint(9002, '2025-02-21', { sub_issue: null, company_response: 'In progress', timely: 'No' }),
      complaint(9003, '2025-02-22', { company: 'OTHER BANK' }),
      complaint(8000, '2024-10-01'),
    ];
    server = await fixtureServer({ [API_PATH]: complaintSearch(() => data) });
    const result = await source(server.url).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['9002', '9001']);
    expect(Object.fromEntries(new URL(server.requests[0]!.path, server.url).searchParams)).toEqual({
      company: 'ACME BANK, N.A.', date_received_min: '2024-12-05', size: '100', frm: '0', sort: 'created_date_desc', no_aggs: 'true', format: 'json',
    });
    const [bare, told] = result.items as RawItemInput[];
    expect(told).toEqual({
      source: { id: 'cfpb-acme', kind: 'cfpb', name: 'CFPB Consumer Complaint Database' }, channel: 'regulator', externalId: '9001',
      url: 'https://www.consumerfinance.gov/data-research/consumer-complaints/search/detail/9001',
      title: 'Problem with a purchase shown on your statement',
      text: 'I disputed a charge of {$120.00} on XX/XX/2025 and ACME BANK never answered.', publishedAt: '2025-02-20T17:00:00.000Z',
      dimensions: {
        product: 'Credit card', sub_product: 'General-purpose credit card or charge card', issue: 'Problem with a purchase shown on your statement',
        sub_issue: 'Card was charged for something you did not purchase with the card', company: 'ACME BANK, N.A.',
        company_response: 'Closed with explanation', timely: 'Yes', state: 'TX', submitted_via: 'Web', tags: 'Older American', has_narrative: 'yes',
      },
      raw: { hasNarrative: true, companyPublicResponse: null, consumerDisputed: 'N/A', dateSentToCompany: '2025-02-20T12:00:00-05:00' },
    });
    // No narrative: the issue is what the complaint says; it carries no title.
    expect(bare).toMatchObject({ text: 'Problem with a purchase shown on your statement', dimensions: { has_narrative: 'no', timely: 'No', company_response: 'In progress' } });
    expect(bare!.title).toBeUndefined();
    expect(result.checkpoint).toEqual({ newest: '2025-02-21T17:00:00.000Z', seen: ['9002', '9001'] });
  });

  test('should skip complaints without a narrative when told to', async () => {
    const data = [narrative(9101, '2025-02-20', 'Fees again.'), complaint(9102, '2025-02-21')];
    server = await fixtureServer({ [API_PATH]: complaintSearch(() => data) });
    const result = await source(server.url, { withoutNarrative: 'skip' }).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(result.items)).toEqual(['9101']);
  });

  test('should yield only complaints not read before, including late-published ones received earlier', async () => {
    const data = [complaint(9201, '2025-02-20'), complaint(9202, '2025-02-21')];
    server = await fixtureServer({ [API_PATH]: complaintSearch(() => data) });
    const store = new MemoryCheckpointStore();
    const src = source(server.url);
    const runs: string[][] = [];
    const run = () => runWithCheckpoint(src, store, signal(), async (items) => runs.push(ids(items)));
    await run();
    // Published after the first run, though received before the newest one it saw.
    data.push(complaint(9203, '2025-02-15'), complaint(9204, '2025-02-25'));
    await run();
    await run();
    expect(runs).toEqual([['9202', '9201'], ['9204', '9203'], []]);
    // Later runs look 30 days behind the newest receipt date.
    expect(new URL(server.requests.at(-1)!.path, server.url).searchParams.get('date_received_min')).toBe('2025-01-26');
  });

  test('should page with frm and say when the page budget ends', async () => {
    const data = [1, 2, 3, 4, 5].map((d) => complaint(9300 + d, `2025-02-0${d}`));
    server = await fixtureServer({ [API_PATH]: complaintSearch(() => data) });
    const all = await source(server.url, { size: 2 }).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(all.items)).toEqual(['9305', '9304', '9303', '9302', '9301']);
    expect(server.requests.map((r) => new URL(r.path, server!.url).searchParams.get('frm'))).toEqual(['0', '2', '4']);
    const cut = await source(server.url, { size: 2, maxPages: 2 }).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(cut.items)).toHaveLength(4);
    expect(cut.warnings?.join()).toMatch(/page budget \(2 × 2\) spent/);
  });

  test('should wait out a 429, and keep the first page when the next one is cut off', async () => {
    const data = [1, 2, 3].map((d) => complaint(9400 + d, `2025-02-0${d}`));
    const search = complaintSearch(() => data);
    server = await fixtureServer({
      [API_PATH]: (req, res, hit, url) => {
        if (hit === 1) return send(res, 429, 'application/json', '{"detail":"Request was throttled."}', { 'retry-after': '1' });
        if (url.searchParams.get('frm') === '2') return send(res, 200, 'application/json', '{"hits": {"hits": [{"_source": {"complaint_id": "94');
        return search(req, res, hit, url);
      },
    });
    const before = { newest: '2025-01-20T17:00:00.000Z', seen: ['9300'] };
    const result = await source(server.url, { size: 2 }).runFrom({ signal: signal(), checkpoint: before });
    expect(ids(result.items)).toEqual(['9403', '9402']);
    expect(result.warnings?.join()).toMatch(/stopped early, keeping the 2 complaints read before: .*does not parse/);
    expect(result.checkpoint).toEqual(before);
  });

  test('should fail cleanly on HTML, 5xx and foreign JSON, and handle duplicates and undated records', async () => {
    server = await fixtureServer({
      [`/html${API_PATH}`]: (_q, res) => send(res, 200, 'text/html', '<html>Access denied</html>'),
      [`/down${API_PATH}`]: (_q, res) => send(res, 504, 'text/html', '<h1>Gateway Timeout</h1>'),
      [`/other${API_PATH}`]: (_q, res) => send(res, 200, 'application/json', '{"detail": "Not found."}'),
      [`/odd${API_PATH}`]: (_q, res) => send(res, 200, 'application/json', JSON.stringify({ hits: { total: 3, hits: [
        { _source: complaint(9501, '2025-02-01') }, { _source: complaint(9501, '2025-02-01') },
        { _source: complaint(9502, '2025-02-01', { date_received: null, date_sent_to_company: null, date_indexed: null }) },
        { _source: { complaint_id: null } },
      ] } })),
    });
    const html = await source(`${server.url}/html`).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect((html as AllearsError).code).toBe('http_content_type');
    const down = await source(`${server.url}/down`).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(TransientError);
    const other = await source(`${server.url}/other`).runFrom({ signal: signal(), checkpoint: null }).catch((e: unknown) => e);
    expect((other as AllearsError).code).toBe('cfpb_bad_answer');
    const odd = await source(`${server.url}/odd`).runFrom({ signal: signal(), checkpoint: null });
    expect(ids(odd.items)).toEqual(['9501']);
    expect(odd.warnings).toEqual([
      'complaint 9501 listed twice on one page; kept once',
      'complaint 9502 skipped: no date received',
      expect.stringMatching(/complaint skipped: complaint_id/),
    ]);
  });

  test('should ask for several companies and products, and reject a missing company', async () => {
    server = await fixtureServer({ [API_PATH]: complaintSearch(() => []) });
    await source(server.url, { company: ['ACME BANK, N.A.', 'ACME CARD SERVICES'], product: ['Credit card'] }).runFrom({ signal: signal(), checkpoint: null });
    const params = new URL(server.requests[0]!.path, server.url).searchParams;
    expect(params.getAll('company')).toEqual(['ACME BANK, N.A.', 'ACME CARD SERVICES']);
    expect(params.getAll('product')).toEqual(['Credit card']);
    expect(() => cfpbSource(SourceConfig.parse({ id: 'x', kind: 'cfpb', options: {} }))).toThrow(ConfigError);
  });
});
