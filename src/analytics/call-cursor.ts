import { AppError } from '../lib/errors.js';
import { idPattern } from '../lib/ids.js';

/** Where a page of calls ends: the last call's start time (microseconds, as stored) and id. */
export interface CallCursor {
  /** ISO 8601 UTC with microseconds, e.g. 2026-11-29T23:40:40.533123Z. */
  startedAt: string;
  id: string;
}

const STARTED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const CALL_ID = new RegExp(idPattern('call'));

/** Opaque to clients: base64url of `startedAt|id`. */
export function encodeCallCursor(cursor: CallCursor): string {
  return Buffer.from(`${cursor.startedAt}|${cursor.id}`, 'utf8').toString('base64url');
}

/** Parses a cursor from a client; anything not produced by encodeCallCursor is CURSOR_INVALID. */
export function decodeCallCursor(raw: string): CallCursor {
  const invalid = () => new AppError('CURSOR_INVALID', 'cursor is not one this API returned');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(raw)) throw invalid();
  const [startedAt, id, ...rest] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !startedAt || !id || !STARTED_AT.test(startedAt) || !CALL_ID.test(id))
    throw invalid();
  if (Number.isNaN(Date.parse(startedAt))) throw invalid();
  return { startedAt, id };
}
