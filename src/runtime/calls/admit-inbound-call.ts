import { and, count, eq, inArray } from 'drizzle-orm';
import type { NumberResolution } from '../../control/index.js';
import { type CallEndReason, tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../lib/deps.js';
import { newId } from '../../lib/ids.js';
import type { EphemeralStore, Lock } from '../../store/index.js';
import { publishCallUpdate } from '../live-events.js';
import { type CallRow, type CallTransport, LIVE_STATUSES } from './call-row.js';
import { findCallBySid } from './find-call.js';

/** End reasons of a call refused at admission (`worker_busy`: this process is full or draining). */
export type RejectReason = Extract<
  CallEndReason,
  | 'unknown_number'
  | 'tenant_suspended'
  | 'no_agent'
  | 'no_published_version'
  | 'over_concurrent_limit'
  | 'worker_busy'
>;

export type Admission =
  /** Twilio retried the webhook: the call exists already. */
  | { kind: 'existing'; call: CallRow }
  | { kind: 'connect'; call: CallRow; resolution: Extract<NumberResolution, { ok: true }> }
  /** `call` is null when no tenant owns the number (nothing to record it under). */
  | { kind: 'reject'; reason: RejectReason; call: CallRow | null };

export interface InboundCall {
  callSid: string;
  from: string | null;
  to: string;
  transport: CallTransport;
}

const ADMISSION_LOCK_TTL_MS = 5000;

/**
 * Decides an inbound call and records it: one row per CallSid (a retried webhook finds the same
 * row), `rejected` with the reason when the number cannot take calls or the tenant is at its
 * concurrent-call limit, else `ringing` until the media connects. Admissions of one tenant are
 * serialised by a short lock so two simultaneous calls cannot both take the last free slot.
 */
export async function admitInboundCall(
  deps: Deps,
  call: InboundCall,
  resolve: (e164: string, callSid: string) => Promise<NumberResolution>,
  hasCapacity: () => boolean = () => true,
): Promise<Admission> {
  const existing = await findCallBySid(deps, call.callSid);
  if (existing) return { kind: 'existing', call: existing };

  const resolution = await resolve(call.to, call.callSid);
  if (!resolution.ok) {
    if (resolution.reason === 'unknown_number')
      return { kind: 'reject', reason: 'unknown_number', call: null };
    const { row, created } = await insertCall(deps, resolution.tenant.id, call, {
      phoneNumberId: resolution.phoneNumberId,
      status: 'rejected',
      endReason: resolution.reason,
    });
    if (!created) return { kind: 'existing', call: row };
    return { kind: 'reject', reason: resolution.reason, call: row };
  }

  const tenantId = resolution.tenant.id;
  const lock = await acquire(deps.store, `call-admission:${tenantId}`);
  try {
    const live = await withTenant(deps.db, tenantId, async (tx) => {
      const [row] = await tx
        .select({ n: count() })
        .from(tables.calls)
        .where(and(eq(tables.calls.tenantId, tenantId), inArray(tables.calls.status, LIVE_STATUSES)));
      return row?.n ?? 0;
    });
    const base = {
      agentId: resolution.agent.id,
      agentVersionId: resolution.liveVersion.id,
      phoneNumberId: resolution.phoneNumberId,
    };
    const refusal: RejectReason | undefined =
      live >= resolution.tenant.maxConcurrentCalls
        ? 'over_concurrent_limit'
        : hasCapacity()
          ? undefined
          : 'worker_busy';
    if (refusal) {
      const { row, created } = await insertCall(deps, tenantId, call, {
        ...base,
        status: 'rejected',
        endReason: refusal,
      });
      if (!created) return { kind: 'existing', call: row };
      return { kind: 'reject', reason: refusal, call: row };
    }
    const { row, created } = await insertCall(deps, tenantId, call, {
      ...base,
      status: 'ringing',
      endReason: null,
    });
    if (!created) return { kind: 'existing', call: row };
    return { kind: 'connect', call: row, resolution };
  } finally {
    await lock?.release();
  }
}

async function insertCall(
  deps: Deps,
  tenantId: string,
  call: InboundCall,
  fields: {
    agentId?: string;
    agentVersionId?: string | null;
    phoneNumberId: string;
    status: 'ringing' | 'rejected';
    endReason: CallEndReason | null;
  },
): Promise<{ row: CallRow; created: boolean }> {
  const now = deps.now();
  const inserted = await withTenant(deps.db, tenantId, (tx) =>
    tx
      .insert(tables.calls)
      .values({
        id: newId('call', now.getTime()),
        tenantId,
        twilioCallSid: call.callSid,
        fromNumber: call.from,
        toNumber: call.to,
        transport: call.transport,
        startedAt: now,
        ...fields,
        ...(fields.status === 'rejected' ? { endedAt: now, durationMs: 0 } : {}),
      })
      .onConflictDoNothing({ target: tables.calls.twilioCallSid })
      .returning(),
  );
  const row = inserted[0];
  if (row) {
    // Live call lists see the call arrive (and a refused one arrive ended).
    await publishCallUpdate(deps.store, {
      callId: row.id,
      tenantId,
      type: row.status === 'rejected' ? 'call_ended' : 'call_started',
      at: now.toISOString(),
      data: {
        status: row.status,
        ...(row.endReason ? { reason: row.endReason } : {}),
        fromNumber: row.fromNumber,
        toNumber: row.toNumber,
        agentId: row.agentId,
        transport: row.transport,
      },
    });
    return { row, created: true };
  }
  // The same CallSid was admitted concurrently (Twilio retried while the first request ran).
  const existing = await findCallBySid(deps, call.callSid);
  if (!existing) throw new Error('call row vanished after a CallSid conflict');
  return { row: existing, created: false };
}

async function acquire(store: EphemeralStore, key: string): Promise<Lock | null> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const lock = await store.acquireLock(key, ADMISSION_LOCK_TTL_MS);
    if (lock) return lock;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // The lock's holder is gone or stuck; admitting without it risks one call over the limit at most.
  return null;
}
