import { z } from 'zod';
import { Channel } from '../model/index.ts';

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "15m" → 900000. Durations in config are strings so they read the same to everybody. */
export function parseDuration(text: string): number | null {
  const m = DURATION_RE.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : null;
}

export const Duration = z
  .string({ message: 'expected a duration like "15m"' })
  .refine((s) => parseDuration(s) !== null, { message: 'expected a duration like "15m"' })
  .transform((s) => parseDuration(s)!);

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i;
export const ByteSize = z
  .union([z.number().int().positive(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === 'number') return v;
    const m = SIZE_RE.exec(v.trim());
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'expected a size like "10mb"' });
      return z.NEVER;
    }
    const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
    return Math.round(Number(m[1]) * mult);
  });

const Id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected a lowercase id like "late-delivery"');
const Words = z.array(z.string().min(1)).default([]);
/** Keywords per language; Chinese keywords are matched as substrings, English ones as words/stems. */
const Keywords = z.object({ en: Words, zh: Words }).partial().default({});
const Names = z.object({ en: z.string(), zh: z.string() }).partial();

export const SourceConfig = z.object({
  id: Id,
  kind: z.string().min(1),
  enabled: z.boolean().default(true),
  schedule: Duration.optional(),
  /** Quiet time after which a source that brings nothing new is reported stale; default ten schedules, at least a day. */
  staleAfter: Duration.optional(),
  channel: Channel.optional(),
  /** Connector-specific settings. Secrets are never written here: name the environment variable instead. */
  options: z.record(z.string(), z.unknown()).default({}),
});
export type SourceConfig = z.infer<typeof SourceConfig>;

export const TopicConfig = z.object({
  id: Id,
  name: Names.default({}),
  keywords: Keywords,
});
export type TopicConfig = z.infer<typeof TopicConfig>;

export const TouchpointConfig = z.object({
  id: Id,
  name: Names.default({}),
  keywords: Keywords,
});
export const JourneyConfig = z.object({
  id: Id,
  name: Names.default({}),
  touchpoints: z.array(TouchpointConfig).min(1),
});
export type JourneyConfig = z.infer<typeof JourneyConfig>;

export const KeywordSignal = z.object({ weight: z.number().min(0).max(1), keywords: Keywords });
/**
 * Words that address, charge, insult or make demands of the company. Each weighs `weight` × how much
 * the item reads as a grievance: the trained model's risk, else the strength of a negative sentiment.
 * `except`: phrases that hold a keyword without the charge ("not your fault", "scam call"); a keyword
 * inside one of them does not count. Off (weight 0, no words) unless configured; the shipped config
 * lists them.
 */
export const HostileSignal = KeywordSignal.extend({ except: Keywords });
const NO_HOSTILE_WORDS = { weight: 0, keywords: {}, except: {} };
export const EscalationConfig = z.object({
  signals: z.object({
    regulator: KeywordSignal,
    legal: KeywordSignal,
    media: KeywordSignal,
    churn: KeywordSignal,
    /** Speaking to the company directly: you, your, 你们, 贵公司. */
    addressed: HostileSignal.default(NO_HOSTILE_WORDS),
    /** Charges against the company: scam, liars, thieves, ripped off, your fault, 骗子, 坑人. */
    accusation: HostileSignal.default(NO_HOSTILE_WORDS),
    /** Contempt and profanity aimed at the company: incompetent, worst company, 垃圾公司. */
    insult: HostileSignal.default(NO_HOSTILE_WORDS),
    /** Demands for money back or compensation: I want my money back, compensate me, 还钱, 赔偿. */
    demand: HostileSignal.default(NO_HOSTILE_WORDS),
    /**
     * Shouting, scaled like the word signals above: at least `capsWords` words of three or more letters in capitals (handles, hashtags
     * and links aside), or a run of at least `marks` exclamation or question marks.
     */
    shouting: z.object({ weight: z.number().min(0).max(1), capsWords: z.number().int().min(1), marks: z.number().int().min(2) })
      .default({ weight: 0.2, capsWords: 3, marks: 3 }),
    /** Authors with at least `followers` followers. */
    reach: z.object({ weight: z.number().min(0).max(1), followers: z.number().int().positive() }),
    /** Engagement (likes + shares + replies) at or above `engagement`. */
    virality: z.object({ weight: z.number().min(0).max(1), engagement: z.number().int().positive() }),
    /**
     * Sentiment score at or below `below`. `scaled`: the signal weighs `weight` × |score|, so more
     * negative ranks higher (best with a trained sentiment model, whose score is P(pos) − P(neg)).
     */
    negative: z.object({
      weight: z.number().min(0).max(1),
      below: z.number().min(-1).max(1),
      scaled: z.boolean().default(false),
      /**
       * The weight instead of `weight` when a trained escalation model assessed the item (a model
       * for its language is configured, whatever the model signal's own weight): its risk already
       * reads how negative the text is. A weight, not a share of `weight`. Absent: `weight` either way.
       */
      withModel: z.number().min(0).max(1).optional(),
    }),
    lowScore: z.object({ weight: z.number().min(0).max(1) }),
    criticalScore: z.object({ weight: z.number().min(0).max(1) }),
    /** Items the complaint stage calls a complaint: `weight` × its probability. */
    complaint: z.object({ weight: z.number().min(0).max(1) }).default({ weight: 0 }),
    /**
     * The trained escalation model (models.escalation): its risk (0–1) times `weight` is the
     * signal's weight; the words that raised the risk most are its evidence.
     */
    model: z.object({ weight: z.number().min(0).max(1), minWeight: z.number().min(0).max(1).default(0.01) })
      .default({ weight: 0.9, minWeight: 0.01 }),
    /** The same author or customer heard from at least `contacts` times (this one included) within `window`. */
    repeatContact: z.object({ weight: z.number().min(0).max(1), contacts: z.number().int().min(2), window: Duration })
      .default({ weight: 0.3, contacts: 3, window: 14 * 86_400_000 }),
    /**
     * A complaint still open `after` its publication: a status in one of `statusKeys` (dimensions)
     * that is not in `resolved`. Items without a status count as open only with `assumeOpen`.
     */
    unresolved: z.object({
      weight: z.number().min(0).max(1),
      after: Duration,
      statusKeys: z.array(z.string().min(1)).default(['status', 'case_status', 'resolution']),
      resolved: z.array(z.string().min(1)).default(['resolved', 'closed', 'done', 'solved', '已解决', '已完成', '已关闭']),
      assumeOpen: z.boolean().default(false),
    }).default({
      weight: 0.35, after: 14 * 86_400_000, statusKeys: ['status', 'case_status', 'resolution'],
      resolved: ['resolved', 'closed', 'done', 'solved', '已解决', '已完成', '已关闭'], assumeOpen: false,
    }),
  }),
  /** Score thresholds for each level; below `medium` is low. */
  levels: z.object({ medium: z.number(), high: z.number(), critical: z.number() }),
});
export type EscalationConfig = z.infer<typeof EscalationConfig>;

const Threshold = z.object({
  /** At or below: a low score that gets one-to-one follow-up (NPS detractor 0–6). */
  low: z.number(),
  /** At or below: a critical score. */
  critical: z.number(),
  min: z.number(),
  max: z.number(),
});
export const SurveysConfig = z.object({
  thresholds: z.object({ nps: Threshold, csat: Threshold, ces: Threshold }),
});
export type SurveysConfig = z.infer<typeof SurveysConfig>;

export const DeploymentConfig = z.object({
  port: z.number().int().min(0).max(65535).default(3000),
  host: z.string().default('0.0.0.0'),
  dataDir: z.string().default('./data'),
  store: z.enum(['sqlite', 'elasticsearch']).default('sqlite'),
  queue: z.enum(['local', 'bullmq']).default('local'),
  /** Password in the URL or in ALLEARS_REDIS_PASSWORD, never in this file. */
  redisUrl: z.string().default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key, so several deployments can share one Redis. */
  redisPrefix: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').default('allears'),
  /** Credentials in ALLEARS_ELASTICSEARCH_API_KEY, or ALLEARS_ELASTICSEARCH_USERNAME and _PASSWORD. */
  elasticsearchUrl: z.string().default('http://127.0.0.1:9200'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type DeploymentConfig = z.infer<typeof DeploymentConfig>;

export const IngestConfig = z.object({
  /** Largest request body accepted by POST /api/ingest; larger bodies get 413. */
  maxBodyBytes: ByteSize.default(16 * 1024 * 1024),
  maxItemsPerRequest: z.number().int().positive().default(20_000),
});

export const WorkerConfig = z.object({
  /** Items per job: the ingest API splits larger requests. */
  batchSize: z.number().int().min(1).max(10_000).default(500),
  concurrency: z.number().int().min(1).max(64).default(1),
  /**
   * Worker threads running the pipeline beside the API thread, so analysis uses a second core and
   * searches stay fast while it works. 0 runs the pipeline in the main thread.
   */
  threads: z.number().int().min(0).max(16).default(1),
  maxAttempts: z.number().int().min(1).max(100).default(5),
  backoff: Duration.default(1000),
  /**
   * How long a batch waits in place while the index or Redis is unreachable before its attempt
   * counts as failed; the worker takes no new batch meanwhile (back-pressure).
   */
  outageGrace: Duration.default(5 * 60_000),
  /** BullMQ: how long a worker holds a job before another may take it over (renewed while it works). */
  lockDuration: Duration.default(30_000),
  /** BullMQ: how often jobs of dead workers are looked for. */
  stalledInterval: Duration.default(30_000),
});

/** The Elasticsearch index, in the cluster mode (checked again, in full, by the adapter). */
export const ElasticsearchConfig = z.object({
  indexPrefix: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'lower-case letters, digits, _ and - only').default('allears'),
  shards: z.number().int().min(1).max(1024).default(1),
  /** 0 on a single node (docker-compose), at least 1 on a real cluster. */
  replicas: z.number().int().min(0).max(16).default(0),
  refreshInterval: z.string().optional(),
  /**
   * Whether a bulk write waits for the refresh that makes it searchable ('wait_for'), forces one
   * (true) or returns at once (false, the default: items show in searches within refreshInterval,
   * 1 s by default, and a worker writes several times faster). Corrections made through the API
   * always wait for their refresh.
   */
  refresh: z.union([z.boolean(), z.literal('wait_for')]).default(false),
  rollover: z.object({
    maxPrimaryShardSize: z.string().optional(),
    maxAge: z.string().optional(),
    maxDocs: z.number().int().positive().optional(),
  }).strict().default({ maxPrimaryShardSize: '50gb', maxAge: '30d' }),
}).strict();

/** Model files (written by `allears train`) per language; a language without one keeps the lexicon/rules. */
const ModelPaths = z.object({ en: z.string().min(1).optional(), zh: z.string().min(1).optional() }).strict();
export const ModelsConfig = z.object({
  sentiment: ModelPaths.default({}),
  complaint: ModelPaths.default({}),
  /** Multi-label topic models, used beside the taxonomy's keyword rules. */
  topics: ModelPaths.default({}),
  /** Escalation risk models, one signal among the rules. */
  escalation: ModelPaths.default({}),
});
export type ModelsConfig = z.infer<typeof ModelsConfig>;

export const Config = z.object({
  deployment: DeploymentConfig.default(DeploymentConfig.parse({})),
  ingest: IngestConfig.default(IngestConfig.parse({})),
  worker: WorkerConfig.default(WorkerConfig.parse({})),
  elasticsearch: ElasticsearchConfig.default(ElasticsearchConfig.parse({})),
  sources: z.array(SourceConfig).default([]),
  taxonomy: z.object({ topics: z.array(TopicConfig).default([]) }).default({ topics: [] }),
  journeys: z.array(JourneyConfig).default([]),
  escalation: EscalationConfig,
  surveys: SurveysConfig,
  models: ModelsConfig.default({ sentiment: {}, complaint: {}, topics: {}, escalation: {} }),
});
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;
