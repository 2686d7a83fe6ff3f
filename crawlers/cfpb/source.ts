import { z } from 'zod';
import { Duration, type SourceConfig } from '../../config/schema.ts';
import { AllearsError, ConfigError, zodDetails } from '../../model/errors.ts';
import { Channel, RawItem, type RawItemInput } from '../../model/index.ts';
import type { IncrementalRunInput, IncrementalRunResult, IncrementalSource } from '../checkpoint.ts';
import { getJson, type FetchOptions } from '../http.ts';
import { CfpbAnswer, CfpbComplaint, complaintToRawItem, receivedAt } from './complaints.ts';

const DAY = 86_400_000;

export const CfpbOptions = z.object({
  /** The company as the database names it, e.g. "BANK OF AMERICA, NATIONAL ASSOCIATION"; several are allowed. */
  company: z.union([z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1)]).transform((c) => (Array.isArray(c) ? c : [c])),
  /** Only these products, e.g. "Credit card". */
  product: z.array(z.string().trim().min(1)).optional(),
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://www.consumerfinance.gov/data-research/consumer-complaints/search/api/v1/'),
  /** Complaints without a narrative: keep them with issue/sub-issue as text (default), or skip them. */
  withoutNarrative: z.enum(['issue', 'skip']).default('issue'),
  size: z.number().int().min(1).max(100).default(100),
  maxPages: z.number().int().min(1).max(100).default(10),
  /** How far back the first run reads. */
  lookback: Duration.default(90 * DAY),
  /**
   * Complaints are published once the company answers (up to about 15 days after receipt), so each
   * run looks this far behind the newest receipt date it has seen.
   */
  overlap: Duration.default(30 * DAY),
  channel: Channel.optional(),
});
export type CfpbOptions = z.infer<typeof CfpbOptions>;

/** The newest receipt date seen, and the ids already read within the overlap window behind it. */
export const CfpbCheckpoint = z.object({
  newest: z.iso.datetime({ offset: true }).nullable(),
  seen: z.array(z.string()),
});
export type CfpbCheckpoint = z.infer<typeof CfpbCheckpoint>;

/** Ids remembered for the overlap window; a company busier than this gets some complaints twice (the ids keep that harmless). */
const MAX_SEEN = 20_000;

export interface CfpbDeps {
  http?: FetchOptions;
  now?: () => Date;
}

/** Kind `cfpb`: complaints about named companies from the CFPB consumer complaint database. */
export function cfpbSource(config: SourceConfig, deps: CfpbDeps = {}): IncrementalSource {
  const parsed = CfpbOptions.safeParse(config.options);
  if (!parsed.success) throw new ConfigError(`source ${config.id}: invalid cfpb options`, zodDetails(parsed.error.issues, `sources.${config.id}.options`));
  const opts = parsed.data;
  const channel = opts.channel ?? config.channel ?? 'regulator';

  async function runFrom({ signal, checkpoint }: IncrementalRunInput): Promise<IncrementalRunResult> {
    const previous = CfpbCheckpoint.safeParse(checkpoint ?? undefined);
    const warnings: string[] = [];
    if (checkpoint != null && !previous.success) warnings.push('checkpoint unreadable; starting from the look-back window');
    const start: CfpbCheckpoint = previous.success ? previous.data : { newest: null, seen: [] };
    const now = (deps.now?.() ?? new Date()).getTime();
    const from = start.newest ? Date.parse(start.newest) - opts.overlap : now - opts.lookback;
    const already = new Set(start.seen);

    const items: RawItemInput[] = [];
    /** Ids met this run with their receipt time: everything still inside the window is met again, so older ids drop out. */
    const read = new Map<string, number>();
    const taken = new Set<string>();
    let newest = start.newest ? Date.parse(start.newest) : Number.NEGATIVE_INFINITY;
    let page = 0;
    try {
      for (; page < opts.maxPages; page++) {
        const url = searchUrl(opts, new Date(from).toISOString().slice(0, 10), page * opts.size);
        const { data } = await getJson(url, { ...deps.http, signal });
        const answer = CfpbAnswer.safeParse(data);
        if (!answer.success) throw new AllearsError('cfpb_bad_answer', `GET ${url}: not a complaint search answer (${describe(answer.error.issues)})`, { status: 502 });
        const onPage = new Set<string>();
        for (const hit of answer.data.hits.hits) {
          const c = CfpbComplaint.safeParse(hit._source);
          if (!c.success) {
            warnings.push(`complaint skipped: ${describe(c.error.issues)}`);
            continue;
          }
          const id = c.data.complaint_id;
          if (onPage.has(id)) {
            warnings.push(`complaint ${id} listed twice on one page; kept once`);
            continue;
          }
          onPage.add(id);
          const at = receivedAt(c.data);
          if (!at) {
            warnings.push(`complaint ${id} skipped: no date received`);
            continue;
          }
          read.set(id, Date.parse(at));
          // A receipt date in the future (the database has a few) must not push the window past today.
          newest = Math.max(newest, Math.min(Date.parse(at), now));
          if (already.has(id) || taken.has(id)) continue;
          taken.add(id);
          const item = complaintToRawItem(c.data, { sourceId: config.id, channel, withoutNarrative: opts.withoutNarrative });
          if (!item) continue;
          const check = RawItem.safeParse(item);
          if (check.success) items.push(item);
          else warnings.push(`complaint ${id} skipped: ${describe(check.error.issues)}`);
        }
        if (answer.data.hits.hits.length < opts.size) break;
      }
    } catch (err) {
      // Nothing read: the run fails. Otherwise keep what was read; the checkpoint stays, so the next run reads the window again.
      if (signal.aborted || items.length === 0) throw err;
      warnings.push(`stopped early, keeping the ${items.length} complaints read before: ${(err as Error).message}`);
      return { items, checkpoint: start, warnings };
    }
    if (page === opts.maxPages) warnings.push(`page budget (${opts.maxPages} × ${opts.size}) spent; older complaints in the window are not read (raise maxPages)`);
    if (!Number.isFinite(newest)) return { items, checkpoint: start, warnings };
    // Remember the ids inside the next run's window; older ones will not be asked for again.
    const keepFrom = newest - opts.overlap;
    const seen = [...read].filter(([, at]) => at >= keepFrom).map(([id]) => id);
    if (seen.length > MAX_SEEN) warnings.push(`more than ${MAX_SEEN} complaints in the overlap window; some will be read again`);
    return { items, checkpoint: { newest: new Date(newest).toISOString(), seen: seen.slice(-MAX_SEEN) }, warnings };
  }

  return {
    id: config.id,
    kind: 'cfpb',
    runFrom,
    run: async (signal) => (await runFrom({ signal, checkpoint: null })).items,
  };
}

/** Newest complaints first; `no_aggs` skips the facet counts this does not use. */
export function searchUrl(opts: Pick<CfpbOptions, 'baseUrl' | 'company' | 'product' | 'size'>, receivedMin: string, frm: number): string {
  const params = new URLSearchParams();
  for (const c of opts.company) params.append('company', c);
  for (const p of opts.product ?? []) params.append('product', p);
  params.set('date_received_min', receivedMin);
  params.set('size', String(opts.size));
  params.set('frm', String(frm));
  params.set('sort', 'created_date_desc');
  params.set('no_aggs', 'true');
  params.set('format', 'json');
  return `${opts.baseUrl}?${params}`;
}

function describe(issues: Parameters<typeof zodDetails>[0]): string {
  return zodDetails(issues).map((d) => `${d.path}: ${d.message}`).join('; ');
}
