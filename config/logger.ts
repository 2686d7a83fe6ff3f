import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs. Feedback text and personal data never go into a log line: log ids, counts and
 * error codes. The redact list is a second guard for fields that might slip through.
 */
export function createLogger(level: string = process.env.ALLEARS_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { app: 'allears' },
    redact: {
      paths: ['text', 'originalText', 'title', '*.text', '*.originalText', '*.title', 'author', '*.author', 'req.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  });
}
