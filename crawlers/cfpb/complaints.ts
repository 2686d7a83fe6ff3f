import { z } from 'zod';
import type { Channel, RawItemInput } from '../../model/index.ts';

const text = z.string().nullish();

/** One complaint as the CFPB consumer complaint database writes it (`hits.hits[]._source`). */
export const CfpbComplaint = z.looseObject({
  complaint_id: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(/^\d+$/, 'expected a numeric complaint id')),
  date_received: text,
  date_sent_to_company: text,
  date_indexed: text,
  company: text,
  product: text,
  sub_product: text,
  issue: text,
  sub_issue: text,
  complaint_what_happened: text,
  has_narrative: z.boolean().nullish(),
  company_response: text,
  company_public_response: text,
  timely: text,
  state: text,
  submitted_via: text,
  consumer_disputed: text,
  consumer_consent_provided: text,
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
});
export type CfpbComplaint = z.infer<typeof CfpbComplaint>;

/** The search answer: Elasticsearch's shape, `hits.hits[]._source`. */
export const CfpbAnswer = z.looseObject({
  hits: z.looseObject({
    hits: z.array(z.looseObject({ _source: z.unknown() })),
    total: z.union([z.number(), z.looseObject({ value: z.number() })]).optional(),
  }),
});

/** What to do with a complaint whose consumer did not publish a narrative (most of them). */
export type WithoutNarrative = 'issue' | 'skip';

export interface ComplaintContext {
  sourceId: string;
  channel: Channel;
  withoutNarrative: WithoutNarrative;
}

const DIMENSIONS = ['product', 'sub_product', 'issue', 'sub_issue', 'company', 'company_response', 'timely', 'state', 'submitted_via'] as const;

/** When the complaint reached the CFPB; some records lack that date and fall back to when it went to the company. */
export function receivedAt(c: CfpbComplaint): string | undefined {
  for (const d of [c.date_received, c.date_sent_to_company, c.date_indexed]) {
    if (d && !Number.isNaN(Date.parse(d))) return new Date(d).toISOString();
  }
  return undefined;
}

/**
 * A complaint → a RawItem, or `undefined` when it has no narrative and those are skipped. Without a
 * narrative the issue and sub-issue are the text: the complaint still counts (a spike in "Struggling to
 * pay" is news without a word from the consumer), and `has_narrative` says which kind it is.
 */
export function complaintToRawItem(c: CfpbComplaint, ctx: ComplaintContext): RawItemInput | undefined {
  const narrative = c.complaint_what_happened?.trim() ? c.complaint_what_happened : undefined;
  if (!narrative && ctx.withoutNarrative === 'skip') return undefined;
  const dims: Record<string, string> = {};
  for (const key of DIMENSIONS) {
    const v = c[key]?.trim();
    if (v) dims[key] = v.slice(0, 500);
  }
  const tags = Array.isArray(c.tags) ? c.tags.join(',') : c.tags;
  if (tags?.trim()) dims.tags = tags.slice(0, 500);
  dims.has_narrative = narrative ? 'yes' : 'no';
  const issue = [c.issue, c.sub_issue].map((s) => s?.trim()).filter(Boolean).join(': ');
  return {
    source: { id: ctx.sourceId, kind: 'cfpb', name: 'CFPB Consumer Complaint Database' },
    channel: ctx.channel,
    externalId: c.complaint_id,
    url: `https://www.consumerfinance.gov/data-research/consumer-complaints/search/detail/${c.complaint_id}`,
    ...(narrative && c.issue?.trim() ? { title: c.issue.trim() } : {}),
    text: narrative ?? issue,
    // `receivedAt` is checked by the caller; an undated complaint never gets here.
    publishedAt: receivedAt(c)!,
    dimensions: dims,
    raw: {
      hasNarrative: Boolean(narrative),
      companyPublicResponse: c.company_public_response ?? null,
      consumerDisputed: c.consumer_disputed ?? null,
      dateSentToCompany: c.date_sent_to_company ?? null,
    },
  };
}
