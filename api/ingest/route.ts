import express, { Router } from 'express';
import { PayloadTooLargeError, ValidationError } from '../../model/index.ts';
import type { ApiDeps } from '../deps.ts';
import { parseIngestBody } from './schema.ts';

/** Details beyond this many are summarised, so a bad 20,000-item file gives a readable answer. */
const MAX_DETAILS = 1000;

export function ingestRouter({ config, ingestor }: ApiDeps): Router {
  const router = Router();
  const { maxBodyBytes, maxItemsPerRequest } = config.ingest;
  router.post('/', express.raw({ type: () => true, limit: maxBodyBytes }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { inputs, lineErrors } = parseIngestBody(body, req.headers['content-type']);
    if (inputs.length > maxItemsPerRequest) {
      throw new PayloadTooLargeError(`body: ${inputs.length} items; at most ${maxItemsPerRequest} per request`);
    }
    const broken = new Set(lineErrors.map((e) => e.index));
    const outcome = await ingestor.submit(inputs.map((x, i) => (broken.has(i) ? BROKEN_LINE : x)), 'api');
    const errors = [...lineErrors, ...outcome.errors.filter((e) => !broken.has(e.index!))].sort((a, b) => a.index! - b.index!);
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
  });
  return router;
}

/** Stands in for an NDJSON line that was not JSON; it fails validation and is reported once. */
const BROKEN_LINE = Symbol('broken line');
