import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../model/index.ts';
import { analyticsRouter } from './analytics/route.ts';
import type { ApiDeps } from './deps.ts';
import { errorMiddleware } from './errors.ts';
import { feedbackRouter } from './feedback/route.ts';
import { ingestRouter } from './ingest/route.ts';
import { opsRouter, systemRouter } from './system/route.ts';

const DASHBOARD_DIR = fileURLToPath(new URL('../dashboards/public', import.meta.url));

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    // Feedback is untrusted text: never let a browser sniff a JSON answer into HTML.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      deps.metrics.httpRequests.inc({ method: req.method, route: `${req.baseUrl}${route}`, status: String(res.statusCode) });
    });
    next();
  });
  app.use(systemRouter(deps));
  app.use('/api/ingest', ingestRouter(deps));
  app.use('/api/feedback', feedbackRouter(deps));
  app.use('/api/analytics', analyticsRouter(deps));
  if (existsSync(DASHBOARD_DIR)) app.use(express.static(DASHBOARD_DIR, { index: 'index.html' }));
  app.use((req, _res, next) => next(new NotFoundError(`route ${req.method} ${req.path}`)));
  app.use(errorMiddleware(deps.log));
  return app;
}

/**
 * For the roles without the API (`allears worker`, `allears crawler`): only `/healthz` and
 * `/metrics`, for container health checks and Prometheus.
 */
export function createOpsApp(deps: Pick<ApiDeps, 'metrics' | 'health' | 'version' | 'log'>): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(opsRouter(deps));
  app.use((req, _res, next) => next(new NotFoundError(`route ${req.method} ${req.path}`)));
  app.use(errorMiddleware(deps.log));
  return app;
}
