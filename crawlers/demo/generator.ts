import type { Channel, RawItemInput } from '../../model/index.ts';
import { createAuthorPool, pickAuthor, type DemoAuthor } from './authors.ts';
import {
  APP, CHANNELS_BY_MOOD, DELIVERY_TROUBLE, MEMBERSHIP, ORDER_SCENARIOS, PRODUCTS, REGIONS, SCENARIO_WEIGHTS,
  SKEWED_SUPPLIER, SUPPLIER_ANY, SUPPLIER_DELIVERY_TROUBLE, type Product,
} from './catalog.ts';
import { composePost } from './compose.ts';
import type { EscalationKind, PhraseBank, ScenarioId } from './phrases.ts';
import { EN } from './phrases-en.ts';
import { ZH } from './phrases-zh.ts';
import { Rng, Weighted } from './prng.ts';
import { fill, Slots } from './slots.ts';
import { engagement, postUrl, publicAuthor } from './reach.ts';
import { surveyAnswer } from './survey.ts';

export const DEMO_SOURCE = { id: 'demo', kind: 'demo', name: 'Demo data (generated)' } as const;

export interface DemoOptions {
  /** Same seed and same `now` → same items. Without one, each run starts a fresh sequence of external ids. */
  seed?: number;
  /** Fraction of items written in Chinese, 0–1 (default 0.4). */
  chineseShare?: number;
  now?: () => Date;
  /** Items are published within this many ms before `now()` (default 5 minutes). */
  spanMs?: number;
}

export type DemoLang = 'en' | 'zh';

/** What the generator meant, kept in `raw.demo`: the ground truth benchmarks compare the pipeline with. */
export interface DemoTruth {
  scenario: ScenarioId | 'survey';
  lang: DemoLang;
  escalation?: EscalationKind[];
  campaign?: string;
  repost?: true;
  incident?: true;
}

interface Context {
  bank: PhraseBank;
  author: DemoAuthor;
  slots: Slots;
  dimensions: Record<string, string>;
}

interface Recent { externalId: string; handle: string; text: string; truth: DemoTruth; dimensions: Record<string, string> }

interface Campaign { id: string; truth: DemoTruth; text: string; dimensions: Record<string, string>; remaining: number }

const SURVEY_SHARE = 0.12;
const PUBLIC: ReadonlySet<Channel> = new Set(['social', 'forum', 'review']);
/** Chance that a negative post threatens a regulator, a lawyer or the press, by channel. */
const ESCALATE: Partial<Record<Channel, number>> = { social: 0.05, forum: 0.06, review: 0.03, complaint: 0.12, email: 0.08, chat: 0.04 };
const ESCALATE_KIND = new Weighted<EscalationKind>([['regulator', 4], ['legal', 3], ['media', 3]]);
const PII: Partial<Record<Channel, number>> = { social: 0.015, forum: 0.02, complaint: 0.06, email: 0.06, chat: 0.05, regulator: 0.1 };
const INCIDENTS: readonly ScenarioId[] = ['app-crash', 'late-delivery', 'billing-error'];
const CAMPAIGN_SCENARIOS: ReadonlySet<ScenarioId> = new Set(['late-delivery', 'refund-delay', 'billing-error']);
const CAMPAIGN_TAGS: Record<DemoLang, string> = { en: '#HearthlyRefundsNow', zh: '#禾家还我退款#' };

/**
 * Realistic mixed English/Chinese feedback for a fictional retailer, so a new installation shows
 * feedback flowing with no account and no network. Beyond independent posts it plays out the
 * patterns the analysis should find: incidents (bursts of one problem), copy-paste campaigns,
 * reposts, and one warehouse supplier behind a large share of delivery complaints.
 *
 * Items are built as plain literals: object spreads made generation several times slower.
 */
export class DemoGenerator {
  readonly seed: number;
  private readonly rng: Rng;
  private readonly chineseShare: number;
  private readonly now: () => Date;
  private readonly spanMs: number;
  private readonly pools: Record<DemoLang, DemoAuthor[]>;
  private counter = 0;
  private campaign?: Campaign;
  private incident?: { scenario: ScenarioId; remaining: number };
  private readonly recent: Recent[] = [];
  private readonly slots: Slots;

  constructor(opts: DemoOptions = {}) {
    this.seed = (opts.seed ?? Date.now() % 2_147_483_647) >>> 0;
    this.rng = new Rng(this.seed);
    this.slots = new Slots(this.rng);
    this.chineseShare = Math.min(1, Math.max(0, opts.chineseShare ?? 0.4));
    this.now = opts.now ?? (() => new Date());
    this.spanMs = Math.max(0, opts.spanMs ?? 5 * 60_000);
    const poolRng = new Rng(this.seed ^ 0x9e3779b9);
    this.pools = { en: createAuthorPool(poolRng, 'en', 1500), zh: createAuthorPool(poolRng, 'zh', 1000) };
  }

  next(n: number): RawItemInput[] {
    const nowMs = this.now().getTime();
    const out: RawItemInput[] = [];
    for (let i = 0; i < n; i++) out.push(this.item(nowMs));
    return out;
  }

  private item(nowMs: number): RawItemInput {
    const rng = this.rng;
    this.counter++;
    const externalId = `demo-${this.seed}-${this.counter}`;
    const publishedAt = new Date(nowMs - Math.floor(rng.next() * this.spanMs)).toISOString();
    if (this.campaign && rng.chance(0.35)) return this.campaignCopy(externalId, publishedAt, this.campaign);
    if (this.recent.length > 0 && rng.chance(0.025)) return this.repost(externalId, publishedAt);
    const lang: DemoLang = rng.chance(this.chineseShare) ? 'zh' : 'en';
    if (rng.chance(SURVEY_SHARE)) return this.survey(externalId, publishedAt, lang);
    return this.post(externalId, publishedAt, lang);
  }

  private post(externalId: string, publishedAt: string, lang: DemoLang): RawItemInput {
    const rng = this.rng;
    const { scenario, incident } = this.pickScenario();
    const truth: DemoTruth = { scenario, lang };
    if (incident) truth.incident = true;
    const { product, supplier } = this.productFor(scenario, incident);
    const ctx = this.context(lang, scenario === 'app-crash' ? 'app' : undefined, product, supplier);
    const mood = scenario === 'praise' ? 'positive' : scenario === 'question' ? 'question' : 'negative';
    const channel = CHANNELS_BY_MOOD[mood].pick(rng);
    const escalations: EscalationKind[] = [];
    if (mood === 'negative') {
      if (channel === 'regulator') escalations.push('regulator');
      else if (rng.chance(ESCALATE[channel] ?? 0)) escalations.push(ESCALATE_KIND.pick(rng));
      if (rng.chance(0.06)) escalations.push('churn');
    }
    if (escalations.length) truth.escalation = escalations;
    const pii = mood === 'negative' && rng.chance(PII[channel] ?? 0);
    const { title, text } = composePost(rng, ctx.bank, scenario, channel, ctx.slots, { escalations, pii, authorName: ctx.author.name });

    const item: RawItemInput = { source: demoSource(), channel, initiator: 'customer', externalId, publishedAt, text, dimensions: ctx.dimensions, raw: { demo: truth } };
    if (title) item.title = title;
    if (PUBLIC.has(channel)) {
      item.author = publicAuthor(ctx.author);
      item.url = postUrl(this.counter, channel, ctx.author, lang);
      item.engagement = engagement(this.rng, ctx.author, channel);
    } else {
      item.author = { id: ctx.author.id, name: ctx.author.name };
      item.customerRef = ctx.author.customerRef;
    }
    if (channel === 'social' && !pii) this.remember({ externalId, handle: ctx.author.handle, text, truth, dimensions: ctx.dimensions }, scenario);
    return item;
  }

  private survey(externalId: string, publishedAt: string, lang: DemoLang): RawItemInput {
    const rng = this.rng;
    const supplier = SUPPLIER_ANY.pick(rng);
    const ctx = this.context(lang, undefined, rng.pick(PRODUCTS), supplier);
    const answer = surveyAnswer(rng, ctx.bank, ctx.slots, supplier === SKEWED_SUPPLIER);
    if (answer.touchpoint !== 'delivery' && answer.touchpoint !== 'returns') delete ctx.dimensions.supplier;
    const truth: DemoTruth = { scenario: 'survey', lang };
    return {
      source: demoSource(),
      channel: 'survey',
      initiator: 'company',
      externalId,
      author: { id: ctx.author.id, name: ctx.author.name },
      customerRef: ctx.author.customerRef,
      // The comment is also the text: text is what the pipeline reads, indexes and searches.
      text: answer.comment ?? '',
      publishedAt,
      survey: answer,
      dimensions: ctx.dimensions,
      raw: { demo: truth },
    };
  }

  /** The same text pasted by several authors: a coordinated campaign the dedupe stage should spot. */
  private campaignCopy(externalId: string, publishedAt: string, c: Campaign): RawItemInput {
    if (--c.remaining <= 0) this.campaign = undefined;
    const author = pickAuthor(this.rng, this.pools[c.truth.lang]);
    return this.socialCopy(externalId, publishedAt, author, c.text, { ...c.dimensions }, { ...c.truth, campaign: c.id });
  }

  private repost(externalId: string, publishedAt: string): RawItemInput {
    const orig = this.rng.pick(this.recent);
    const author = pickAuthor(this.rng, this.pools[orig.truth.lang]);
    const bank = orig.truth.lang === 'zh' ? ZH : EN;
    const text = fill(this.rng.pick(bank.repost), { handle: orig.handle, text: orig.text });
    const item = this.socialCopy(externalId, publishedAt, author, text, { ...orig.dimensions }, { ...orig.truth, repost: true });
    item.threadId = orig.externalId;
    return item;
  }

  private socialCopy(externalId: string, publishedAt: string, author: DemoAuthor, text: string, dimensions: Record<string, string>, truth: DemoTruth): RawItemInput {
    return {
      source: demoSource(),
      channel: 'social',
      initiator: 'customer',
      externalId,
      url: postUrl(this.counter, 'social', author, truth.lang),
      author: publicAuthor(author),
      text,
      publishedAt,
      engagement: engagement(this.rng, author, 'social'),
      dimensions,
      raw: { demo: truth },
    };
  }

  private context(lang: DemoLang, store: string | undefined, product: Product | undefined, supplier: string | undefined): Context {
    const rng = this.rng;
    const bank = lang === 'zh' ? ZH : EN;
    const region = rng.pick(REGIONS[lang]);
    const author = pickAuthor(rng, this.pools[lang]);
    const r = rng.next();
    const dimensions: Record<string, string> = {
      demo: 'true',
      region: region.id,
      store: store ?? (r < 0.5 ? 'online' : r < 0.8 ? 'app' : rng.pick(region.stores)),
    };
    if (product) dimensions.product = product.id;
    if (supplier) dimensions.supplier = supplier;
    // Templates name a physical product even when the item is about the app or the membership.
    const named = product && product !== APP && product !== MEMBERSHIP ? product : rng.pick(PRODUCTS);
    const slots = this.slots.reset(bank, lang, author, named[lang], rng.pick(region.cities));
    return { bank, author, slots, dimensions };
  }

  /** Mostly independent posts; now and then an incident makes one problem half of everything for a while. */
  private pickScenario(): { scenario: ScenarioId; incident: boolean } {
    const rng = this.rng;
    if (!this.incident && rng.chance(0.0005)) this.incident = { scenario: rng.pick(INCIDENTS), remaining: rng.int(80, 200) };
    if (this.incident) {
      const scenario = this.incident.scenario;
      if (--this.incident.remaining <= 0) this.incident = undefined;
      if (rng.chance(0.5)) return { scenario, incident: true };
    }
    return { scenario: SCENARIO_WEIGHTS.pick(rng), incident: false };
  }

  private productFor(scenario: ScenarioId, incident: boolean): { product?: Product; supplier?: string } {
    const rng = this.rng;
    if (scenario === 'billing-error') return { product: MEMBERSHIP };
    if (scenario === 'app-crash') return { product: APP };
    if (scenario === 'account-hacked') return {};
    if (!ORDER_SCENARIOS.has(scenario) && rng.chance(0.3)) return {};
    const trouble = DELIVERY_TROUBLE.has(scenario);
    // During a delivery incident the backlog is at one warehouse.
    const supplier = trouble && incident ? SKEWED_SUPPLIER : (trouble ? SUPPLIER_DELIVERY_TROUBLE : SUPPLIER_ANY).pick(rng);
    return { product: rng.pick(PRODUCTS), supplier };
  }

  /** Keeps recent social posts to repost, and now and then turns one into a copy-paste campaign. */
  private remember(post: Recent, scenario: ScenarioId): void {
    if (this.recent.length >= 50) this.recent.shift();
    this.recent.push(post);
    if (!this.campaign && CAMPAIGN_SCENARIOS.has(scenario) && this.rng.chance(0.01)) {
      const id = `campaign-${this.seed}-${this.counter}`;
      const text = `${post.text} ${CAMPAIGN_TAGS[post.truth.lang]}`;
      this.campaign = { id, truth: post.truth, text, dimensions: post.dimensions, remaining: this.rng.int(5, 15) };
    }
  }
}

function demoSource(): RawItemInput['source'] {
  return { id: DEMO_SOURCE.id, kind: DEMO_SOURCE.kind, name: DEMO_SOURCE.name };
}

/** `count` items from a fresh generator; spread over the last 30 days unless `opts.spanMs` says otherwise. */
export function demoItems(count: number, seed = 42, opts: Omit<DemoOptions, 'seed'> = {}): RawItemInput[] {
  return new DemoGenerator({ spanMs: 30 * 86_400_000, ...opts, seed }).next(count);
}
