import { Router } from 'express';
import type { ApiDeps } from '../deps.ts';
import { parseBreakdown, parseTrends } from './schema.ts';

export function analyticsRouter({ index }: ApiDeps): Router {
  const router = Router();
  router.get('/trends', async (req, res) => {
    const query = parseTrends(req.query as Record<string, unknown>);
    res.json({ interval: query.interval, splitBy: query.splitBy ?? null, buckets: await index.histogram(query) });
  });
  router.get('/breakdown', async (req, res) => {
    const parsed = parseBreakdown(req.query as Record<string, unknown>);
    if (parsed.kind === 'scores') {
      res.json({ field: parsed.query.groupBy ?? null, metric: parsed.query.metric, groups: await index.scoreStats(parsed.query) });
    } else {
      const total = await index.count(parsed.query);
      res.json({ field: parsed.query.field, total, buckets: await index.terms(parsed.query) });
    }
  });
  return router;
}
