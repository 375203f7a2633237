import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { type CrossTenantAccess, type Tx, tables, withAllTenants, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { notFound } from '../lib/errors.js';
import { type CallListItem, callListColumns } from './list-calls.js';

const LIVE: Array<CallListItem['status']> = ['ringing', 'in_progress'];
/** A live list shows at most this many calls in its snapshot (newest first). */
const LIVE_LIMIT = 500;

export const isLiveStatus = (status: CallListItem['status']) => LIVE.includes(status);

export interface CallSnapshot {
  call: CallListItem;
  /** Turns spoken so far, in order. */
  turns: Array<{
    seq: number;
    speaker: 'caller' | 'agent';
    text: string;
    startMs: number;
    endMs: number;
    interrupted: boolean;
  }>;
  /** False once the call has ended: the stream sends this snapshot and closes. */
  live: boolean;
}

/** One call as a live view starts from: its summary and the turns so far. */
export async function getCallSnapshot(deps: Deps, tenantId: string, callId: string): Promise<CallSnapshot> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const [call] = await tx
      .select(callListColumns)
      .from(tables.calls)
      .leftJoin(tables.agents, eq(tables.agents.id, tables.calls.agentId))
      .where(eq(tables.calls.id, callId));
    if (!call) throw notFound('CALL_NOT_FOUND', 'call');
    const u = tables.utterances;
    const turns = await tx
      .select({
        seq: u.seq,
        speaker: u.speaker,
        text: u.text,
        startMs: u.startMs,
        endMs: u.endMs,
        interrupted: u.interrupted,
      })
      .from(u)
      .where(eq(u.callId, callId))
      .orderBy(asc(u.seq));
    return { call, turns, live: isLiveStatus(call.status) };
  });
}

const selectLive = (tx: Tx) =>
  tx
    .select(callListColumns)
    .from(tables.calls)
    .leftJoin(tables.agents, eq(tables.agents.id, tables.calls.agentId))
    .where(and(inArray(tables.calls.status, LIVE)))
    .orderBy(desc(tables.calls.startedAt), desc(tables.calls.id))
    .limit(LIVE_LIMIT);

/** The calls running now in one tenant, or (agency staff, tenantId null) in every tenant. */
export async function listLiveCalls(
  deps: Deps,
  scope: { tenantId: string } | { access: CrossTenantAccess },
): Promise<CallListItem[]> {
  return 'tenantId' in scope
    ? withTenant(deps.db, scope.tenantId, selectLive)
    : withAllTenants(deps.db, scope.access, deps.crossTenantLog, selectLive);
}
