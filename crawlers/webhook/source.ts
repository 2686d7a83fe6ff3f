import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { SourceConfig } from '../../config/schema.ts';
import { AllearsError, ConfigError, zodDetails } from '../../model/errors.ts';
import type { Source } from '../source.ts';

/**
 * Kind `webhook`: a system that pushes feedback to `POST /api/ingest/:sourceId` (a complaint form, a
 * ticketing tool, a chat export). Every request carries an HMAC-SHA256 of its body made with the
 * source's own secret, which is read from the environment variable the config names.
 *
 * Schemes:
 * - `timestamped` (default): the sender also sends the Unix time in `timestampHeader` and signs
 *   `${timestamp}.${body}`; a request older or newer than `toleranceSeconds` is refused, so a captured
 *   request cannot be replayed later.
 * - `body`: the signature covers the body alone (what many SaaS webhooks send, e.g. `sha256=<hex>`).
 */
export const WebhookOptions = z.object({
  secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected the NAME of an environment variable, like SHOP_WEBHOOK_SECRET'),
  scheme: z.enum(['timestamped', 'body']).default('timestamped'),
  signatureHeader: z.string().min(1).default('x-allears-signature').transform((h) => h.toLowerCase()),
  timestampHeader: z.string().min(1).default('x-allears-timestamp').transform((h) => h.toLowerCase()),
  toleranceSeconds: z.number().int().min(1).max(86_400).default(300),
});
export type WebhookOptions = z.infer<typeof WebhookOptions>;

export interface WebhookSource extends Source {
  readonly kind: 'webhook';
  readonly options: WebhookOptions;
  readonly channel: SourceConfig['channel'];
}

export function webhookSource(config: SourceConfig): WebhookSource {
  const parsed = WebhookOptions.safeParse(config.options);
  if (!parsed.success) throw new ConfigError(`source ${config.id}: invalid webhook options`, zodDetails(parsed.error.issues, `sources.${config.id}.options`));
  return {
    id: config.id,
    kind: 'webhook',
    options: parsed.data,
    channel: config.channel,
    // Pushed, never polled: a scheduled or manual run has nothing to fetch.
    run: async () => [],
  };
}

export function isWebhookSource(source: Source): source is WebhookSource {
  return source.kind === 'webhook' && 'options' in source;
}

export interface SignedRequest {
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** Unix ms; injected by tests. */
  now?: number;
}

/** The signature a sender computes, as `sha256=<hex>`. Exported for senders written in TypeScript and for tests. */
export function signWebhook(secret: string, body: Buffer | string, timestamp?: number): string {
  const mac = createHmac('sha256', secret);
  if (timestamp !== undefined) mac.update(`${timestamp}.`);
  mac.update(body);
  return `sha256=${mac.digest('hex')}`;
}

/**
 * Checks a pushed request against the source's secret; throws a 401 AllearsError naming what is
 * wrong (never the expected value), or a 503 when the secret is not configured on this server.
 */
export function verifyWebhook(source: WebhookSource, req: SignedRequest, env: NodeJS.ProcessEnv = process.env): void {
  const { secretEnv, scheme, signatureHeader, timestampHeader, toleranceSeconds } = source.options;
  const secret = env[secretEnv];
  if (!secret) {
    throw new AllearsError('source_misconfigured', `source ${source.id}: its secret is not set (environment variable ${secretEnv} is empty)`, { status: 503 });
  }
  const given = header(req.headers, signatureHeader);
  if (!given) throw unauthorized(`missing ${signatureHeader} header`, signatureHeader);
  let timestamp: number | undefined;
  if (scheme === 'timestamped') {
    const raw = header(req.headers, timestampHeader);
    if (!raw) throw unauthorized(`missing ${timestampHeader} header`, timestampHeader);
    if (!/^\d{1,12}$/.test(raw)) throw unauthorized(`${timestampHeader} must be Unix seconds`, timestampHeader);
    timestamp = Number(raw);
    const skew = Math.abs((req.now ?? Date.now()) / 1000 - timestamp);
    if (skew > toleranceSeconds) throw unauthorized(`${timestampHeader} is ${Math.round(skew)} s away from now; at most ${toleranceSeconds} s allowed`, timestampHeader);
  }
  const expected = Buffer.from(signWebhook(secret, req.body, timestamp));
  const actual = Buffer.from(given.trim().toLowerCase().startsWith('sha256=') ? given.trim().toLowerCase() : `sha256=${given.trim().toLowerCase()}`);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw unauthorized('signature does not match the body', signatureHeader);
  }
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function unauthorized(message: string, field: string): AllearsError {
  return new AllearsError('bad_signature', `webhook: ${message}`, { status: 401, details: [{ path: `headers.${field}`, message }] });
}
