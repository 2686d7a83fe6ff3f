import { errors } from '@elastic/elasticsearch';
import { AllearsError, TransientError, ValidationError, type ErrorDetail } from '../../model/index.ts';

/** The node URL without credentials, fit for messages and logs. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/u, '');
  } catch {
    return '(invalid URL)';
  }
}

/** Statuses that say "busy or briefly down": the same request may succeed later. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** The error type and reason of a response body (or of one bulk item). */
export function reasonOf(body: unknown): { type: string; reason: string } {
  const err = (body as { error?: unknown } | undefined)?.error ?? body;
  if (err && typeof err === 'object') {
    const e = err as { type?: unknown; reason?: unknown; root_cause?: Array<{ type?: unknown; reason?: unknown }>; caused_by?: { type?: unknown; reason?: unknown } };
    const root = e.caused_by ?? e.root_cause?.[0];
    const type = String(e.type ?? root?.type ?? 'error');
    const reason = [e.reason, root && root.reason !== e.reason ? root.reason : undefined].filter((r) => typeof r === 'string' && r !== '').join(': ');
    return { type, reason: reason || type };
  }
  return { type: 'error', reason: typeof err === 'string' ? err : 'unknown error' };
}

/** A bulk item Elasticsearch refused for good (a document that does not fit the mapping…). */
export interface RejectedItem {
  id: string;
  /** Position in the batch given to upsert. */
  index: number;
  status: number;
  type: string;
  reason: string;
}

/**
 * Some items of a batch were refused for good; every other item was stored (`stored` says how).
 * Not retryable: the same documents would be refused again.
 */
export class IndexRejectedError extends AllearsError {
  constructor(readonly rejected: RejectedItem[], readonly stored: { created: number; updated: number }) {
    const details: ErrorDetail[] = rejected.map((r) => ({
      path: `items[${r.index}]`, index: r.index, message: `feedback ${r.id}: ${r.type}: ${r.reason}`,
    }));
    const first = rejected[0];
    super('index_rejected', `Elasticsearch refused ${rejected.length} item(s)${first ? ` (first: feedback ${first.id}: ${first.reason})` : ''}; the other items were stored`, {
      status: 422, details,
    });
  }
}

/**
 * Turns what the client throws into the project's errors: unreachable or overloaded → TransientError
 * (retryable) naming the URL; a request the engine refuses → AllearsError with its reason. `doing`
 * says what was attempted ("searching feedback").
 */
export function translateError(err: unknown, url: string, doing: string): Error {
  if (err instanceof AllearsError) return err;
  const where = safeUrl(url);
  if (err instanceof errors.ConnectionError || err instanceof errors.NoLivingConnectionsError) {
    return new TransientError(`Elasticsearch unreachable at ${where} while ${doing}: ${err.message}`, err);
  }
  if (err instanceof errors.TimeoutError || err instanceof errors.RequestAbortedError) {
    return new TransientError(`Elasticsearch at ${where} did not answer in time while ${doing}`, err);
  }
  if (err instanceof errors.ResponseError) {
    const status = err.statusCode ?? 0;
    const { type, reason } = reasonOf(err.body);
    if (isTransientStatus(status)) {
      return new TransientError(`Elasticsearch at ${where} is busy or unavailable (${status} ${type}) while ${doing}: ${reason}`, err);
    }
    if (status === 401 || status === 403) {
      return new AllearsError('index_auth', `Elasticsearch at ${where} refused the credentials (${status}) while ${doing}: ${reason}; check ALLEARS_ELASTICSEARCH_API_KEY or ALLEARS_ELASTICSEARCH_USERNAME/PASSWORD`, { status: 503, cause: err });
    }
    if (type === 'too_many_buckets_exception') {
      return new ValidationError('the histogram would have too many buckets; choose a larger interval or a shorter period', [
        { path: 'interval', message: reason },
      ]);
    }
    return new AllearsError('index_request_failed', `Elasticsearch at ${where} refused a request (${status} ${type}) while ${doing}: ${reason}`, { status: 500, cause: err });
  }
  if (err instanceof errors.ElasticsearchClientError) {
    return new AllearsError('index_request_failed', `Elasticsearch client error at ${where} while ${doing}: ${err.message}`, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}
