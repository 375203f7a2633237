import { createHash } from 'node:crypto';
import { and, desc, eq, gte, lt, lte, type Placeholder, type SQL, sql } from 'drizzle-orm';
import {
  type CallEndReason,
  type CrossTenantAccess,
  type DbOrTx,
  preparedOnce,
  readAsTenant,
  tables,
  withAllTenants,
} from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { AppError } from '../lib/errors.js';
import type { Page } from '../lib/pagination.js';
import { type CallCursor, decodeCallCursor, encodeCallCursor } from './call-cursor.js';

export type CallStatus = (typeof tables.calls.$inferSelect)['status'];

/** What the call list can be narrowed by (the same for the page, the CSV and the cross-tenant list). */
export interface CallListFilters {
  /** Started at or after. */
  from?: Date;
  /** Started before. */
  to?: Date;
  agentId?: string;
  status?: CallStatus;
  endReason?: CallEndReason;
  outcome?: string;
  minDurationMs?: number;
  maxDurationMs?: number;
  hasRecording?: boolean;
  legalHold?: boolean;
  /** The post-call analysis judged the call a success (true) or not (false); unjudged calls match neither. */
  success?: boolean;
  /** `+15005550006` matches that caller exactly; bare digits match anywhere in the caller's number. */
  caller?: string;
  /** Full-text search over the transcript (web-search syntax: words, "phrases", -excluded, or). */
  q?: string;
}

export interface ListCallsInput extends CallListFilters {
  limit: number;
  /** Opaque `nextCursor` of the previous page. */
  cursor?: string;
}

const { calls, agents } = tables;

const START_TEXT = sql<string>`to_char(${calls.startedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const callListColumns = {
  id: calls.id,
  tenantId: calls.tenantId,
  agentId: calls.agentId,
  agentName: agents.name,
  agentVersionId: calls.agentVersionId,
  fromNumber: calls.fromNumber,
  toNumber: calls.toNumber,
  transport: calls.transport,
  status: calls.status,
  endReason: calls.endReason,
  outcome: calls.outcome,
  legalHold: calls.legalHold,
  startedAt: calls.startedAt,
  endedAt: calls.endedAt,
  durationMs: calls.durationMs,
  hasRecording: sql<boolean>`exists (select 1 from recordings r where r.call_id = ${calls.id})`.mapWith(
    Boolean,
  ),
};

type CallRow = typeof calls.$inferSelect;

/** One row of the call list. */
export type CallListItem = Pick<
  CallRow,
  | 'id'
  | 'tenantId'
  | 'agentId'
  | 'agentVersionId'
  | 'fromNumber'
  | 'toNumber'
  | 'transport'
  | 'status'
  | 'endReason'
  | 'outcome'
  | 'legalHold'
  | 'startedAt'
  | 'endedAt'
  | 'durationMs'
> & { agentName: string | null; hasRecording: boolean };

/**
 * The WHERE conditions of a page of calls (filters and keyset; RLS adds the tenant) with a
 * placeholder for every value, and those values. The conditions depend only on which filters are
 * set (`shape`), so one prepared statement serves every page with the same combination.
 */
function callPageConditions(f: CallListFilters & { tenantId?: string }, cursor: CallCursor | undefined) {
  const values: Record<string, unknown> = {};
  const shape: string[] = [];
  const bind = (name: string, value: unknown) => {
    values[name] = value;
    shape.push(name);
    return sql.placeholder(name);
  };
  if (f.hasRecording !== undefined) shape.push(f.hasRecording ? 'withRecording' : 'withoutRecording');
  const conditions: Array<SQL | undefined> = [
    f.tenantId ? eq(calls.tenantId, bind('tenantId', f.tenantId)) : undefined,
    f.from ? gte(calls.startedAt, bind('from', f.from.toISOString())) : undefined,
    f.to ? lt(calls.startedAt, bind('to', f.to.toISOString())) : undefined,
    f.agentId ? eq(calls.agentId, bind('agentId', f.agentId)) : undefined,
    f.status ? eq(calls.status, bind('status', f.status)) : undefined,
    f.endReason ? eq(calls.endReason, bind('endReason', f.endReason)) : undefined,
    f.outcome ? eq(calls.outcome, bind('outcome', f.outcome)) : undefined,
    f.minDurationMs !== undefined ? gte(calls.durationMs, bind('minDurationMs', f.minDurationMs)) : undefined,
    f.maxDurationMs !== undefined ? lte(calls.durationMs, bind('maxDurationMs', f.maxDurationMs)) : undefined,
    f.legalHold !== undefined ? eq(calls.legalHold, bind('legalHold', f.legalHold)) : undefined,
    f.hasRecording === undefined
      ? undefined
      : f.hasRecording
        ? sql`exists (select 1 from recordings r where r.call_id = ${calls.id})`
        : sql`not exists (select 1 from recordings r where r.call_id = ${calls.id})`,
    f.success === undefined
      ? undefined
      : sql`exists (select 1 from call_analyses a where a.call_id = ${calls.id} and a.status = 'done' and a.success = ${bind('success', f.success)})`,
    f.caller ? callerCondition(f.caller, bind) : undefined,
    f.q
      ? sql`exists (select 1 from utterances u where u.call_id = ${calls.id} and u.search_tsv @@ websearch_to_tsquery('english', ${bind('q', f.q)}))`
      : undefined,
    // Newer-first keyset: rows strictly after the cursor in (started_at desc, id desc) order.
    cursor
      ? sql`(${calls.startedAt}, ${calls.id}) < (${bind('cursorAt', cursor.startedAt)}::timestamptz, ${bind('cursorId', cursor.id)})`
      : undefined,
  ];
  return { where: and(...conditions), values, shape: shape.join(',') };
}

/** `+15005550006` matches that caller exactly; bare digits match anywhere in the caller's number. */
function callerCondition(caller: string, bind: (name: string, value: unknown) => Placeholder): SQL {
  if (caller.startsWith('+')) return eq(calls.fromNumber, bind('caller', caller));
  return sql`${calls.fromNumber} like ${bind('callerDigits', `%${caller.replace(/\D/g, '')}%`)}`;
}

/** One page of calls in (started_at desc, id desc) order, stable while calls are being added. */
export async function selectCallPage(
  db: DbOrTx,
  filters: CallListFilters & { tenantId?: string },
  limit: number,
  cursor: CallCursor | undefined,
): Promise<Page<CallListItem>> {
  const { where, values, shape } = callPageConditions(filters, cursor);
  const page = preparedOnce(
    db,
    `calls_page_${createHash('sha256').update(shape).digest('hex').slice(0, 16)}`,
    (name) =>
      db
        .select({ ...callListColumns, cursorAt: START_TEXT })
        .from(calls)
        .leftJoin(agents, eq(agents.id, calls.agentId))
        .where(where)
        .orderBy(desc(calls.startedAt), desc(calls.id))
        .limit(sql.placeholder('limit'))
        .prepare(name),
  );
  const rows = await page.execute({ ...values, limit: limit + 1 });
  const kept = rows.slice(0, limit);
  const last = kept.at(-1);
  return {
    items: kept.map(({ cursorAt: _, ...item }) => item),
    nextCursor:
      rows.length > limit && last ? encodeCallCursor({ startedAt: last.cursorAt, id: last.id }) : null,
  };
}

/** Ranges that cannot hold anything are a client mistake, not an empty page. */
export function checkCallListFilters(f: CallListFilters): void {
  if (f.from && f.to && f.from.getTime() >= f.to.getTime()) {
    throw new AppError('VALIDATION_FAILED', '`from` must be before `to`', [{ field: 'from' }]);
  }
  if (f.minDurationMs !== undefined && f.maxDurationMs !== undefined && f.minDurationMs > f.maxDurationMs) {
    throw new AppError('VALIDATION_FAILED', '`minDurationMs` must not exceed `maxDurationMs`', [
      { field: 'minDurationMs' },
    ]);
  }
}

/** A tenant's calls, newest first, filtered; `cursor` continues a previous page. */
export async function listCalls(deps: Deps, tenantId: string, input: ListCallsInput) {
  const { limit, cursor, ...filters } = input;
  checkCallListFilters(filters);
  const after = cursor === undefined ? undefined : decodeCallCursor(cursor);
  // Scoped twice: by the query (so the tenant's index is used) and by row-level security.
  return readAsTenant(deps.db, tenantId, (tx) => selectCallPage(tx, { ...filters, tenantId }, limit, after));
}

/** Every tenant's calls (agency staff), or one tenant's when `tenantId` is given. */
export async function listAllCalls(
  deps: Deps,
  access: CrossTenantAccess,
  input: ListCallsInput & { tenantId?: string },
) {
  const { limit, cursor, ...filters } = input;
  checkCallListFilters(filters);
  const after = cursor === undefined ? undefined : decodeCallCursor(cursor);
  return withAllTenants(deps.db, access, deps.crossTenantLog, (tx) =>
    selectCallPage(tx, filters, limit, after),
  );
}
