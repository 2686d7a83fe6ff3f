/**
 * One small error hierarchy with stable codes. What happens next is encoded in the class:
 * the API maps `status`, queue workers retry only `retryable` errors.
 */
export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. "items[3].publishedAt" or "q". */
  path?: string;
  message: string;
  index?: number;
}

export class AllearsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: ErrorDetail[];

  constructor(code: string, message: string, opts: { status?: number; retryable?: boolean; details?: ErrorDetail[]; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = opts.status ?? 500;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details ?? [];
  }
}

export class ValidationError extends AllearsError {
  constructor(message: string, details: ErrorDetail[] = [], code = 'validation_failed') {
    super(code, message, { status: 400, details });
  }
}

/** A user's search query the engine cannot parse. */
export class QuerySyntaxError extends AllearsError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super('query_syntax', message, { status: 400, details });
  }
}

export class NotFoundError extends AllearsError {
  constructor(what: string) {
    super('not_found', `${what} not found`, { status: 404 });
  }
}

export class ConflictError extends AllearsError {
  constructor(message: string) {
    super('conflict', message, { status: 409 });
  }
}

export class PayloadTooLargeError extends AllearsError {
  constructor(message: string) {
    super('payload_too_large', message, { status: 413 });
  }
}

/** A dependency is down or busy; the same work may succeed later. */
export class TransientError extends AllearsError {
  constructor(message: string, cause?: unknown) {
    super('unavailable', message, { status: 503, retryable: true, cause });
  }
}

/** Configuration that cannot run; every problem is listed in `details`. */
export class ConfigError extends AllearsError {
  constructor(message: string, details: ErrorDetail[]) {
    super('config_invalid', message, { status: 500, details });
  }
}

/** Turn zod issues into details that name each field: "items[3].publishedAt". */
export function zodDetails(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, prefix = ''): ErrorDetail[] {
  return issues.map((issue) => ({ path: formatPath(prefix, issue.path), message: issue.message }));
}

export function formatPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
