import type { NumberResolution } from '../../control/index.js';
import { type CallEndReason, tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import { newId } from '../../lib/ids.js';
import { publishCallUpdate } from '../live-events.js';
import type { CallRow, CallTransport } from './call-row.js';
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

/** The slot set holding a tenant's live (ringing or running) calls, shared by every instance. */
export const tenantCallSlots = (tenantId: string) => `call-slots:tenant:${tenantId}`;
/** The slot set holding the calls one worker admitted or runs (ringing ones included). */
export const workerCallSlots = (workerId: string) => `call-slots:worker:${workerId}`;

/** The call worker of the instance answering the webhook, as admission sees it. */
export interface AdmittingWorker {
  readonly workerId: string;
  /** False while the worker drains. */
  readonly accepting: boolean;
  readonly maxCalls: number;
  /** How long a ringing call may wait for its media; its slots lapse after this unless the call runs. */
  readonly ringingTimeoutMs: number;
}

/**
 * Decides an inbound call and records it: one row per CallSid (a retried webhook finds the same
 * row), `rejected` with the reason when the number cannot take calls, the tenant is at its
 * concurrent-call limit or the worker is full, else `ringing` until the media connects. The
 * tenant's and the worker's counts are one atomic step in the ephemeral store (`takeSlots`), so a
 * burst cannot take more than the free slots, ringing calls count, and the tenant's limit holds
 * across instances; nothing waits on a lock.
 */
export async function admitInboundCall(
  deps: Deps,
  call: InboundCall,
  resolve: (e164: string, callSid: string) => Promise<NumberResolution>,
  worker?: AdmittingWorker,
): Promise<Admission> {
  // No lookup by CallSid first: a retried webhook (rare) meets its row at insert time (the CallSid
  // is unique), so a new call (every call) costs one transaction fewer on the webhook's path.
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
  const base = {
    agentId: resolution.agent.id,
    agentVersionId: resolution.liveVersion.id,
    phoneNumberId: resolution.phoneNumberId,
  };
  const callId = newId('call', deps.now().getTime());
  const slotKeys = [tenantCallSlots(tenantId), ...(worker ? [workerCallSlots(worker.workerId)] : [])];
  let refusal: RejectReason | undefined;
  if (worker && !worker.accepting) refusal = 'worker_busy';
  else {
    const full = await deps.store.takeSlots(
      [
        { key: tenantCallSlots(tenantId), limit: resolution.tenant.maxConcurrentCalls },
        ...(worker ? [{ key: workerCallSlots(worker.workerId), limit: worker.maxCalls }] : []),
      ],
      callId,
      worker?.ringingTimeoutMs ?? DEFAULT_RINGING_SLOT_MS,
    );
    refusal = full === 0 ? 'over_concurrent_limit' : full === 1 ? 'worker_busy' : undefined;
  }
  if (refusal) {
    const { row, created } = await insertCall(deps, tenantId, call, {
      ...base,
      status: 'rejected',
      endReason: refusal,
    });
    if (!created) return { kind: 'existing', call: row };
    return { kind: 'reject', reason: refusal, call: row };
  }
  try {
    const { row, created } = await insertCall(deps, tenantId, call, {
      ...base,
      id: callId,
      // The admitting worker holds the call's worker slot until a worker claims the call.
      workerId: worker?.workerId ?? null,
      status: 'ringing',
      endReason: null,
    });
    if (!created) {
      await deps.store.releaseSlots(slotKeys, callId);
      return { kind: 'existing', call: row };
    }
    return { kind: 'connect', call: row, resolution };
  } catch (err) {
    await deps.store.releaseSlots(slotKeys, callId).catch(() => {});
    throw err;
  }
}

/** Slot lifetime of a ringing call when no worker says how long media may take. */
const DEFAULT_RINGING_SLOT_MS = 60_000;

async function insertCall(
  deps: Deps,
  tenantId: string,
  call: InboundCall,
  fields: {
    id?: string;
    workerId?: string | null;
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
        tenantId,
        twilioCallSid: call.callSid,
        fromNumber: call.from,
        toNumber: call.to,
        transport: call.transport,
        startedAt: now,
        ...fields,
        id: fields.id ?? newId('call', now.getTime()),
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
