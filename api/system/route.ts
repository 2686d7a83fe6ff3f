import { Router } from 'express';
import { ConflictError, NotFoundError, ValidationError } from '../../model/index.ts';
import type { ApiDeps } from '../deps.ts';
import { int } from '../params.ts';

/** Liveness and metrics: served by every role, the API and the processes without one. */
export function opsRouter({ metrics, health, version }: Pick<ApiDeps, 'metrics' | 'health' | 'version'>): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const checks = await health();
    const ok = checks.every((c) => c.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', version, checks });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.render());
  });
  return router;
}

/** Health, metrics, the queue and the sources: what an operator looks at. */
export function systemRouter(deps: ApiDeps): Router {
  const { queue, sources } = deps;
  const router = Router();
  router.use(opsRouter(deps));
  router.get('/api/queue', async (req, res) => {
    const limit = int(req.query.limit, 'limit') ?? 20;
    if (limit < 1 || limit > 500) throw new ValidationError('limit: must be between 1 and 500', [{ path: 'limit', message: 'must be between 1 and 500' }]);
    const stats = await queue.stats();
    const dead = await Promise.all(stats.filter((s) => s.dead > 0).map(async (s) => ({ queue: s.queue, jobs: await queue.deadLetters(s.queue, limit) })));
    res.json({ queues: stats, deadLetters: dead });
  });
  router.post('/api/queue/:queue/dead/:id/retry', async (req, res) => {
    if (!(await queue.retryDead(req.params.queue, req.params.id))) throw new NotFoundError(`dead letter ${req.params.id} in ${req.params.queue}`);
    res.status(202).json({ retried: req.params.id });
  });
  router.get('/api/sources', async (_req, res) => {
    res.json({ sources: (await sources?.list()) ?? [] });
  });
  // Health events (a source failing, going stale, recovering), oldest first; `after` pages on.
  router.get('/api/sources/events', async (req, res) => {
    const after = int(req.query.after, 'after') ?? 0;
    const limit = int(req.query.limit, 'limit') ?? 100;
    if (limit < 1 || limit > 1000) throw new ValidationError('limit: must be between 1 and 1000', [{ path: 'limit', message: 'must be between 1 and 1000' }]);
    const source = typeof req.query.source === 'string' ? req.query.source : undefined;
    res.json({ events: (await sources?.events({ after, limit, source })) ?? [] });
  });
  router.get('/api/sources/:id', async (req, res) => {
    const view = await sources?.get(req.params.id);
    if (!view) throw new NotFoundError(`source ${req.params.id}`);
    res.json(view);
  });
  router.post('/api/sources/:id/run', async (req, res) => {
    const known = await sources?.get(req.params.id);
    if (!sources || !known) throw new NotFoundError(`source ${req.params.id}`);
    const refusal = await sources.refusal(known.id);
    if (refusal) throw new ConflictError(refusal);
    // The run goes on in the background; its outcome shows in GET /api/sources.
    const where = await sources.run(known.id);
    res.status(202).json({ started: known.id, where });
  });
  return router;
}
