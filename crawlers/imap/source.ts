import { ImapFlow, type ImapFlowOptions, type Logger } from 'imapflow';
import { z } from 'zod';
import { Duration, type SourceConfig } from '../../config/schema.ts';
import { AllearsError, ConfigError, TransientError, zodDetails } from '../../model/errors.ts';
import { Channel, RawItem, type RawItemInput } from '../../model/index.ts';
import type { IncrementalRunInput, IncrementalRunResult, IncrementalSource } from '../checkpoint.ts';
import { messageToRawItem } from './message.ts';

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the NAME of an environment variable, e.g. COMPLAINTS_IMAP_USER');

export const ImapOptions = z.object({
  host: z.string().trim().min(1, 'expected the IMAP server host name'),
  /** Default 993 with TLS, 143 without. */
  port: z.number().int().min(1).max(65_535).optional(),
  /** TLS from the first byte (IMAPS). */
  secure: z.boolean().default(true),
  /** Accept self-signed certificates only when set to false (test and internal servers). */
  tlsRejectUnauthorized: z.boolean().default(true),
  /** Names of the environment variables holding the login; the values never appear in config or logs. */
  userEnv: EnvName,
  passwordEnv: EnvName,
  mailbox: z.string().min(1).default('INBOX'),
  /** Messages read per run, oldest first; the rest wait for the next run. */
  maxMessages: z.number().int().min(1).max(10_000).default(200),
  /** Bytes read per message: the text comes first in practice, big attachments after it are not downloaded. */
  maxMessageBytes: z.number().int().min(4096).max(100 * 1024 * 1024).default(2 * 1024 * 1024),
  /** Flag read messages \Seen. Off by default: the mailbox is opened read-only and left as it was. */
  markSeen: z.boolean().default(false),
  channel: Channel.optional(),
  /** How far back the first run (and a run after the mailbox was rebuilt) reads, e.g. "30d". */
  lookback: Duration.default(30 * 86_400_000),
  /** Leave out auto-replies and delivery reports (Auto-Submitted, multipart/report, mailer-daemon): they are not customers speaking. */
  skipAutomated: z.boolean().default(true),
  /** Connect, greeting and socket inactivity timeout. */
  timeout: Duration.default(30_000),
});
export type ImapOptions = z.infer<typeof ImapOptions>;

/** The mailbox generation (UIDVALIDITY) and the highest UID read in it. */
export const ImapCheckpoint = z.object({
  mailbox: z.string(),
  uidValidity: z.string(),
  lastUid: z.number().int().nonnegative(),
});
export type ImapCheckpoint = z.infer<typeof ImapCheckpoint>;

export interface ImapDeps {
  now?: () => Date;
  /** Receives imapflow's protocol log with the login removed. Off by default. */
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

/** Codes of connection problems that may go away by themselves. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'EPIPE',
  'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT', 'NoConnection', 'EConnectionClosed',
  'ClosedAfterConnectText', 'ClosedAfterConnectTLS', 'ETHROTTLE',
]);

/**
 * Kind `imap`: one mailbox of a complaint or support inbox. Each run reads the messages that arrived
 * since the last one (by UIDVALIDITY and UID), oldest first, and leaves the mailbox unchanged unless
 * `markSeen` is set.
 */
export function imapSource(config: SourceConfig, deps: ImapDeps = {}): IncrementalSource {
  const parsed = ImapOptions.safeParse(config.options);
  if (!parsed.success) throw new ConfigError(`source ${config.id}: invalid imap options`, zodDetails(parsed.error.issues, `sources.${config.id}.options`));
  const opts = parsed.data;
  const channel = opts.channel ?? config.channel ?? 'email';
  const port = opts.port ?? (opts.secure ? 993 : 143);
  const where = `${opts.host}:${port}`;

  function credential(name: string, field: 'userEnv' | 'passwordEnv'): string {
    const value = (deps.env ?? process.env)[name];
    if (value === undefined || value === '') {
      throw new ConfigError(`source ${config.id}: environment variable ${name} is not set (named by options.${field})`, [
        { path: `sources.${config.id}.options.${field}`, message: `environment variable ${name} is not set` },
      ]);
    }
    return value;
  }

  async function runFrom({ signal, checkpoint }: IncrementalRunInput): Promise<IncrementalRunResult> {
    const user = credential(opts.userEnv, 'userEnv');
    const pass = credential(opts.passwordEnv, 'passwordEnv');
    const warnings: string[] = [];
    const previous = ImapCheckpoint.safeParse(checkpoint ?? undefined);
    if (checkpoint != null && !previous.success) warnings.push('checkpoint unreadable; reading the look-back window again');

    const options: ImapFlowOptions = {
      host: opts.host,
      port,
      secure: opts.secure,
      auth: { user, pass },
      tls: { rejectUnauthorized: opts.tlsRejectUnauthorized },
      logger: deps.logger ? redacting(deps.logger, [user, pass]) : false,
      disableAutoIdle: true,
      connectionTimeout: opts.timeout,
      greetingTimeout: opts.timeout,
      socketTimeout: Math.max(opts.timeout, 60_000),
    };
    const client = new ImapFlow(options);
    // Socket errors after connect also reject the pending command; this only keeps them from crashing the process.
    client.on('error', () => {});
    const abort = () => client.close();
    signal.throwIfAborted();
    signal.addEventListener('abort', abort, { once: true });
    try {
      try {
        await client.connect();
      } catch (err) {
        throw classify(err, 'connect');
      }
      return await read(client, previous.success ? previous.data : null, warnings, signal);
    } catch (err) {
      signal.throwIfAborted();
      throw err instanceof AllearsError ? err : classify(err, 'read');
    } finally {
      signal.removeEventListener('abort', abort);
      await client.logout().catch(() => client.close());
    }
  }

  async function read(client: ImapFlow, start: ImapCheckpoint | null, warnings: string[], signal: AbortSignal): Promise<IncrementalRunResult> {
    let box;
    try {
      box = await client.mailboxOpen(opts.mailbox, { readOnly: !opts.markSeen });
    } catch (err) {
      if (isConnectionProblem(err)) throw err;
      throw new AllearsError('source_mailbox_unavailable', `${where}: cannot open mailbox "${opts.mailbox}"${serverSays(err)}`, { status: 502 });
    }
    const uidValidity = box.uidValidity.toString();
    const sameGeneration = start !== null && start.mailbox === opts.mailbox && start.uidValidity === uidValidity;
    if (start !== null && start.mailbox === opts.mailbox && !sameGeneration) {
      warnings.push(
        `mailbox "${opts.mailbox}" was rebuilt on the server (UIDVALIDITY ${start.uidValidity} → ${uidValidity}); ` +
          `re-reading messages from the last ${Math.round(opts.lookback / 86_400_000)} day(s); messages already collected update in place by Message-ID`,
      );
    }
    const lastUid = sameGeneration ? start.lastUid : 0;

    let uids: number[];
    if (sameGeneration) {
      // UIDNEXT at or below the next expected UID means nothing arrived; servers that omit it are asked anyway.
      const nothingNew = typeof box.uidNext === 'number' && box.uidNext > 0 && box.uidNext <= lastUid + 1;
      uids = nothingNew ? [] : (await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || [];
    } else {
      const since = new Date((deps.now?.() ?? new Date()).getTime() - opts.lookback);
      uids = (await client.search({ since }, { uid: true })) || [];
    }
    // "n:*" matches the newest message even when its UID is below n.
    uids = [...new Set(uids)].filter((u) => u > lastUid).sort((a, b) => a - b);
    if (uids.length > opts.maxMessages) {
      warnings.push(`${uids.length} new messages; read the oldest ${opts.maxMessages} (maxMessages), the rest wait for the next run`);
      uids = uids.slice(0, opts.maxMessages);
    }

    const items: RawItemInput[] = [];
    const wanted = new Set(uids);
    let automated = 0;
    let newest = lastUid;
    if (uids.length > 0) {
      const fetched = client.fetch(uids, { uid: true, size: true, internalDate: true, source: { start: 0, maxLength: opts.maxMessageBytes } }, { uid: true });
      for await (const msg of fetched) {
        if (signal.aborted) break;
        if (!wanted.has(msg.uid)) continue;
        newest = Math.max(newest, msg.uid);
        if (!msg.source) {
          warnings.push(`message uid ${msg.uid} skipped: the server sent no content`);
          continue;
        }
        const internalDate = msg.internalDate === undefined ? undefined : new Date(msg.internalDate);
        try {
          const mapped = messageToRawItem(msg.source, {
            sourceId: config.id,
            channel,
            mailbox: opts.mailbox,
            uidValidity,
            uid: msg.uid,
            ...(internalDate && !Number.isNaN(internalDate.getTime()) ? { internalDate } : {}),
            truncated: msg.size !== undefined && msg.size > msg.source.length,
          });
          if (mapped.automated && opts.skipAutomated) {
            automated++;
            continue;
          }
          const { item, warnings: notes } = mapped;
          const check = RawItem.safeParse(item);
          if (!check.success) {
            warnings.push(`message uid ${msg.uid} skipped: ${zodDetails(check.error.issues).map((d) => `${d.path}: ${d.message}`).join('; ')}`);
            continue;
          }
          warnings.push(...notes);
          items.push(item);
        } catch (err) {
          warnings.push(`message uid ${msg.uid} skipped: unreadable message (${err instanceof Error ? err.message : String(err)})`);
        }
      }
      signal.throwIfAborted();
      if (automated > 0) warnings.push(`${automated} automated message(s) skipped (auto-replies, delivery reports)`);
      if (opts.markSeen) await client.messageFlagsAdd(uids, ['\\Seen'], { uid: true });
    }
    return { items, checkpoint: { mailbox: opts.mailbox, uidValidity, lastUid: newest }, warnings };
  }

  /** An error that names the problem and never a credential. */
  function classify(err: unknown, stage: 'connect' | 'read'): AllearsError {
    const e = err as { code?: string; authenticationFailed?: boolean; serverResponseCode?: string; message?: string };
    if (e?.authenticationFailed) {
      const code = e.serverResponseCode ? ` (${e.serverResponseCode})` : '';
      return new AllearsError(
        'source_auth_failed',
        `${where}: login failed${code}: the server rejected the user name or password from ${opts.userEnv} / ${opts.passwordEnv}`,
        { status: 502 },
      );
    }
    if (isConnectionProblem(err)) {
      return new TransientError(`${where}: IMAP server unreachable during ${stage} (${e.code})`);
    }
    if (typeof e?.code === 'string' && /CERT|SELF_SIGNED|TLS|SSL/i.test(e.code)) {
      return new AllearsError('source_tls_failed', `${where}: TLS certificate not accepted (${e.code}); for a self-signed test server set tlsRejectUnauthorized: false`, { status: 502 });
    }
    return new AllearsError('source_failed', `${where}: IMAP ${stage} failed${e?.code ? ` (${e.code})` : ''}${serverSays(err)}`, { status: 502 });
  }

  return {
    id: config.id,
    kind: 'imap',
    runFrom,
    run: async (signal) => (await runFrom({ signal, checkpoint: null })).items,
  };
}

function isConnectionProblem(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

/** The server's own words for a failed command (its response text holds no secret we sent). */
function serverSays(err: unknown): string {
  const e = err as { responseText?: unknown; serverResponseCode?: unknown };
  const text = typeof e?.responseText === 'string' ? e.responseText : '';
  const code = typeof e?.serverResponseCode === 'string' ? `[${e.serverResponseCode}] ` : '';
  return text || code ? `: ${code}${text}`.slice(0, 300) : '';
}

/** A protocol logger that never sees the login: values are masked, SASL exchanges dropped. */
function redacting(logger: Logger, secrets: string[]): Logger {
  const needles = secrets.filter((v) => v.length > 0).map((v) => JSON.stringify(v).slice(1, -1));
  const clean = (entry: unknown): unknown => {
    const e = entry as { comment?: unknown } | null;
    if (e && typeof e === 'object' && typeof e.comment === 'string' && /auth/i.test(e.comment)) return { ...e, msg: '(login hidden)' };
    let text = JSON.stringify(entry) ?? 'null';
    for (const n of needles) text = text.split(n).join('***');
    return JSON.parse(text);
  };
  return {
    debug: (o) => logger.debug(clean(o)),
    info: (o) => logger.info(clean(o)),
    warn: (o) => logger.warn(clean(o)),
    error: (o) => logger.error(clean(o)),
  };
}
