/** The public API's cursors: base64 of JSON, passed back unchanged by clients. */

export interface OffsetCursor {
  limit: number;
  offset: number;
}

export interface LastIdCursor {
  lastId: string;
  limit: number;
}

export const INVALID_CURSOR = 'An invalid cursor was provided';

export function encodeCursor(cursor: OffsetCursor | LastIdCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64');
}

function decode(cursor: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function decodeOffsetCursor(cursor: string): OffsetCursor | undefined {
  const value = decode(cursor);
  const { limit, offset } = value ?? {};
  if (!isCount(limit) || !isCount(offset) || limit < 1) return undefined;
  return { limit, offset };
}

export function decodeLastIdCursor(cursor: string): LastIdCursor | undefined {
  const value = decode(cursor);
  const { lastId, limit } = value ?? {};
  if (!isCount(limit) || limit < 1) return undefined;
  if (typeof lastId !== 'string' && typeof lastId !== 'number') return undefined;
  return { lastId: String(lastId), limit };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

export type LimitResult = { ok: true; limit: number } | { ok: false; message: string };

/** `limit` as the OpenAPI validator checks it: a number from 1 to 250, default 100. */
export function parseLimit(raw: string | null): LimitResult {
  if (raw === null) return { ok: true, limit: 100 };
  const limit = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(limit))
    return { ok: false, message: 'request/query/limit must be number' };
  if (limit > 250) return { ok: false, message: 'request/query/limit must be <= 250' };
  if (limit < 1) return { ok: false, message: 'request/query/limit must be >= 1' };
  return { ok: true, limit: Math.floor(limit) };
}
