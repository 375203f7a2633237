import { type Logger, pino } from 'pino';

export const LOG_REDACTIONS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-twilio-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.apiKey',
  '*.token',
  '*.secret',
];

/** SQLSTATE: five characters, digits and capitals (e.g. 23505). */
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The first error in a cause chain that came from the database (PostgreSQL or PGlite). */
function databaseError(err: unknown): Record<string, unknown> | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const candidate = e as Record<string, unknown>;
    if (typeof candidate.code === 'string' && SQLSTATE.test(candidate.code)) return candidate;
    e = candidate.cause;
  }
  return undefined;
}

/**
 * An error as it may be logged. A database error (and a driver error wrapping one, whose message and
 * stack hold the SQL and its parameters: password hashes, key hashes, tool arguments) keeps only its
 * code, constraint, table and column; other errors keep message and stack without query fields.
 */
export function safeError(err: unknown): Record<string, unknown> {
  const db = databaseError(err);
  if (db) {
    const fields: Record<string, unknown> = { type: 'DatabaseError', code: db.code };
    for (const key of ['constraint', 'table', 'column', 'schema', 'severity'] as const) {
      if (typeof db[key] === 'string') fields[key] = db[key];
    }
    return fields;
  }
  if (!(err instanceof Error)) return { type: typeof err };
  const serialized = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (const key of ['query', 'params', 'parameters', 'detail', 'body', 'cause']) delete serialized[key];
  return serialized;
}

/** A request as it may be logged: the path without its query string (filters and cursors stay out). */
function safeRequest(req: { method?: string; url?: string; ip?: string; host?: string }) {
  return { method: req.method, url: req.url?.split('?')[0], host: req.host, remoteAddress: req.ip };
}

export const LOG_SERIALIZERS = { err: safeError, req: safeRequest };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: LOG_REDACTIONS, censor: '[redacted]' }, serializers: LOG_SERIALIZERS },
    destination ?? process.stdout,
  );
}
