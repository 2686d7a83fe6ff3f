import express, { Router, type Request, type Response } from 'express';
import { isWebhookSource, verifyWebhook, webhookSource, type WebhookSource } from '../../crawlers/webhook/source.ts';
import { AllearsError, NotFoundError, PayloadTooLargeError, ValidationError, type ErrorDetail } from '../../model/index.ts';
import type { ApiDeps } from '../deps.ts';
import { parseIngestBody } from './schema.ts';

/** Details beyond this many are summarised, so a bad 20,000-item file gives a readable answer. */
const MAX_DETAILS = 1000;

export function ingestRouter(deps: ApiDeps): Router {
  const { config, ingestor } = deps;
  const router = Router();
  const { maxBodyBytes, maxItemsPerRequest } = config.ingest;
  const raw = express.raw({ type: () => true, limit: maxBodyBytes });
  const webhooks = webhookSources(config.sources);

  /** Parse, validate and queue one body; `prepare` may reject items up front (reported like invalid ones). */
  async function accept(req: Request, res: Response, via: string, prepare?: (input: unknown, index: number) => ErrorDetail | null) {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { inputs, lineErrors } = parseIngestBody(body, req.headers['content-type']);
    if (inputs.length > maxItemsPerRequest) {
      throw new PayloadTooLargeError(`body: ${inputs.length} items; at most ${maxItemsPerRequest} per request`);
    }
    const early = [...lineErrors];
    const broken = new Set(lineErrors.map((e) => e.index));
    if (prepare) {
      inputs.forEach((input, i) => {
        if (broken.has(i)) return;
        const problem = prepare(input, i);
        if (problem) {
          early.push(problem);
          broken.add(i);
        }
      });
    }
    const outcome = await ingestor.submit(inputs.map((x, i) => (broken.has(i) ? BROKEN_LINE : x)), via);
    const errors = [...early, ...outcome.errors.filter((e) => !broken.has(e.index!))].sort((a, b) => a.index! - b.index!);
    const rejected = new Set(errors.map((e) => e.index)).size;
    if (outcome.accepted === 0) {
      throw new ValidationError(`no valid items: ${rejected} rejected`, errors.slice(0, MAX_DETAILS));
    }
    res.status(202).json({
      accepted: outcome.accepted,
      rejected,
      ids: outcome.ids,
      errors: errors.slice(0, MAX_DETAILS),
      ...(errors.length > MAX_DETAILS ? { errorsTruncated: errors.length - MAX_DETAILS } : {}),
    });
    return outcome.accepted;
  }

  router.post('/', raw, async (req, res) => {
    await accept(req, res, 'api');
  });

  // Pushed by an outside system; signed with the source's own secret (crawlers/webhook).
  router.post('/:sourceId', raw, async (req, res) => {
    const id = String(req.params.sourceId);
    const entry = webhooks.get(id);
    if (!entry) throw new NotFoundError(`webhook source "${id}"`);
    if (entry instanceof AllearsError) throw entry;
    verifyWebhook(entry, { body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), headers: req.headers });
    try {
      const accepted = await accept(req, res, `source:${id}`, (input, i) => stampSource(entry, input, i));
      deps.sources?.recordPush?.(id, accepted, null);
    } catch (err) {
      deps.sources?.recordPush?.(id, 0, err instanceof Error ? err.message : String(err));
      throw err;
    }
  });
  return router;
}

/** Webhook sources by id; one whose options are wrong answers every push with its config error. */
function webhookSources(sources: ApiDeps['config']['sources']): Map<string, WebhookSource | AllearsError> {
  const out = new Map<string, WebhookSource | AllearsError>();
  for (const cfg of sources) {
    if (cfg.kind !== 'webhook' || !cfg.enabled) continue;
    try {
      const source = webhookSource(cfg);
      if (isWebhookSource(source)) out.set(cfg.id, source);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      out.set(cfg.id, new AllearsError('source_misconfigured', message, { status: 503, details: err instanceof AllearsError ? err.details : [] }));
    }
  }
  return out;
}

/** Items pushed to a source belong to it: `source` is filled in, and an item naming another source is refused. */
function stampSource(source: WebhookSource, input: unknown, index: number): ErrorDetail | null {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return null; // validation reports it
  const item = input as Record<string, unknown>;
  const given = item.source as { id?: unknown } | undefined;
  if (given !== undefined && (typeof given !== 'object' || given === null || given.id !== source.id)) {
    return { index, path: `items[${index}].source.id`, message: `must be "${source.id}" (or left out) on this endpoint` };
  }
  item.source = { kind: 'webhook', ...(given ?? {}), id: source.id };
  if (item.channel === undefined && source.channel) item.channel = source.channel;
  return null;
}

/** Stands in for an NDJSON line that was not JSON; it fails validation and is reported once. */
const BROKEN_LINE = Symbol('broken line');
