import type { ErrorRequestHandler, Response } from 'express';
import { AllearsError, PayloadTooLargeError, ValidationError, type ErrorDetail } from '../model/index.ts';
import type { Logger } from '../config/logger.ts';

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

export function sendError(res: Response, status: number, code: string, message: string, details: ErrorDetail[] = []): void {
  const body: ErrorBody = { error: { code, message, details } };
  res.status(status).json(body);
}

/** Body-parser failures carry a `type`; translate the ones a client can cause. */
function fromBodyParser(err: { type?: string; limit?: number; message?: string }): AllearsError | null {
  switch (err.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(`body: larger than the limit of ${err.limit} bytes`);
    case 'entity.parse.failed':
      return new ValidationError(`body: malformed JSON (${err.message})`, [{ path: 'body', message: err.message ?? 'malformed JSON' }], 'malformed_json');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AllearsError('unsupported_encoding', `body: ${err.message}`, { status: 415 });
    case 'request.aborted':
      return new AllearsError('request_aborted', 'request aborted by the client', { status: 400 });
    default:
      return null;
  }
}

/**
 * The one place that turns errors into HTTP answers: known errors keep their status and code,
 * anything else becomes a generic 500 whose details stay in the log, never in the response.
 */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const known = err instanceof AllearsError ? err : fromBodyParser(err as { type?: string });
    if (known) {
      if (known.status >= 500) log.error({ err: known, path: req.path }, 'request failed');
      return sendError(res, known.status, known.code, known.message, known.details);
    }
    // Errors from express and its parsers that a client caused (a malformed URL, a body that is
    // not the gzip it claims) carry their own 4xx status and are safe to show.
    const e = err as { status?: unknown; expose?: unknown; message?: unknown };
    // (http-errors marks them `expose`; the router's URIError for a bad %-escape only has a status.)
    if (e && (e.expose === true || err instanceof URIError) && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return sendError(res, e.status, 'bad_request', String(e.message ?? 'bad request'));
    }
    log.error({ err, path: req.path, method: req.method }, 'unexpected error');
    sendError(res, 500, 'internal', 'internal error');
  };
}
