import express, { Router } from 'express';
import { AllearsError, NotFoundError, ValidationError, type ErrorDetail } from '../../model/index.ts';
import type { ApiDeps } from '../deps.ts';
import { parseWith } from '../params.ts';
import { LabelsPatch, parseSearch } from './schema.ts';

export function feedbackRouter({ index, config }: ApiDeps): Router {
  const router = Router();
  const topics = new Set(config.taxonomy.topics.map((t) => t.id));
  const touchpoints = new Map(config.journeys.flatMap((j) => j.touchpoints.map((t) => [t.id, j.id] as const)));

  router.get('/', async (req, res) => {
    res.json(await index.search(parseSearch(req.query as Record<string, unknown>)));
  });

  router.get('/:id', async (req, res) => {
    const item = await index.get(req.params.id);
    if (!item) throw new NotFoundError(`feedback ${req.params.id}`);
    res.json(item);
  });

  router.patch('/:id/labels', express.json({ limit: '64kb' }), async (req, res) => {
    if (!req.is('application/json')) {
      throw new AllearsError('unsupported_media_type', 'body: send the labels as JSON (content-type: application/json)', { status: 415 });
    }
    const labels = parseWith(LabelsPatch, req.body ?? {});
    // Corrections must name things the taxonomy knows, or analytics would split on typos.
    const problems: ErrorDetail[] = [];
    labels.topics?.forEach((t, i) => { if (!topics.has(t)) problems.push({ path: `topics[${i}]`, message: `unknown topic "${t}"` }); });
    if (labels.touchpoint) {
      const journey = touchpoints.get(labels.touchpoint.touchpoint);
      if (journey === undefined) problems.push({ path: 'touchpoint.touchpoint', message: `unknown touchpoint "${labels.touchpoint.touchpoint}"` });
      else if (journey !== labels.touchpoint.journey) problems.push({ path: 'touchpoint.journey', message: `touchpoint "${labels.touchpoint.touchpoint}" belongs to journey "${journey}"` });
    }
    if (problems.length) throw new ValidationError(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
    const ifMatch = req.header('if-match');
    const ifVersion = ifMatch ? Number(ifMatch.replace(/"/g, '')) : undefined;
    if (ifVersion !== undefined && !Number.isInteger(ifVersion)) {
      throw new ValidationError('If-Match: expected the version number of the feedback', [{ path: 'If-Match', message: 'expected an integer version' }]);
    }
    const correctedBy = labels.correctedBy ?? req.header('x-user') ?? undefined;
    const updated = await index.patch(
      req.params.id,
      { labels: { ...labels, ...(correctedBy ? { correctedBy } : {}), correctedAt: new Date().toISOString() } },
      ifVersion === undefined ? {} : { ifVersion },
    );
    res.json(updated);
  });
  return router;
}
