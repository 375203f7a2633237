import { and, desc, eq, gte, lt, lte, type SQL, sql } from 'drizzle-orm';
import {
  type CallEndReason,
  type CrossTenantAccess,
  type DbOrTx,
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

/** The WHERE conditions of a filtered call list (no keyset, no tenant: RLS and the caller add those). */
export function callFilterConditions(f: CallListFilters & { tenantId?: string }): SQL | undefined {
  const conditions: Array<SQL | undefined> = [
    f.tenantId ? eq(calls.tenantId, f.tenantId) : undefined,
    f.from ? gte(calls.startedAt, f.from) : undefined,
    f.to ? lt(calls.startedAt, f.to) : undefined,
    f.agentId ? eq(calls.agentId, f.agentId) : undefined,
    f.status ? eq(calls.status, f.status) : undefined,
    f.endReason ? eq(calls.endReason, f.endReason as CallEndReason) : undefined,
    f.outcome ? eq(calls.outcome, f.outcome) : undefined,
    f.minDurationMs !== undefined ? gte(calls.durationMs, f.minDurationMs) : undefined,
    f.maxDurationMs !== undefined ? lte(calls.durationMs, f.maxDurationMs) : undefined,
    f.legalHold !== undefined ? eq(calls.legalHold, f.legalHold) : undefined,
    f.hasRecording === undefined
      ? undefined
      : f.hasRecording
        ? sql`exists (select 1 from recordings r where r.call_id = ${calls.id})`
        : sql`not exists (select 1 from recordings r where r.call_id = ${calls.id})`,
    f.success === undefined
      ? undefined
      : sql`exists (select 1 from call_analyses a where a.call_id = ${calls.id} and a.status = 'done' and a.success = ${f.success})`,
    callerCondition(f.caller),
    f.q
      ? sql`exists (select 1 from utterances u where u.call_id = ${calls.id} and u.search_tsv @@ websearch_to_tsquery('english', ${f.q}))`
      : undefined,
  ];
  return and(...conditions);
}

function callerCondition(caller: string | undefined): SQL | undefined {
  if (!caller) return undefined;
  if (caller.startsWith('+')) return eq(calls.fromNumber, caller);
  const digits = caller.replace(/\D/g, '');
  return sql`${calls.fromNumber} like ${`%${digits}%`}`;
}

/** Newer-first keyset: rows strictly after the cursor in (started_at desc, id desc) order. */
function afterCursor(cursor: CallCursor | undefined): SQL | undefined {
  return cursor
    ? sql`(${calls.startedAt}, ${calls.id}) < (${cursor.startedAt}::timestamptz, ${cursor.id})`
    : undefined;
}

/** One page of calls in (started_at desc, id desc) order, stable while calls are being added. */
export async function selectCallPage(
  tx: DbOrTx,
  filters: CallListFilters & { tenantId?: string },
  limit: number,
  cursor: CallCursor | undefined,
): Promise<Page<CallListItem>> {
  const rows = await tx
    .select({ ...callListColumns, cursorAt: START_TEXT })
    .from(calls)
    .leftJoin(agents, eq(agents.id, calls.agentId))
    .where(and(callFilterConditions(filters), afterCursor(cursor)))
    .orderBy(desc(calls.startedAt), desc(calls.id))
    .limit(limit + 1);
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
