import { and, eq } from 'drizzle-orm';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import { publishCallUpdate } from '../live-events.js';
import type { CallRow } from './call-row.js';

/**
 * Takes a ringing call for this worker as its media connects: it becomes `in_progress` with a first
 * heartbeat. Only one worker can take a call; a second stream for it gets undefined.
 */
export async function claimCall(
  deps: Pick<Deps, 'db' | 'now'>,
  call: { tenantId: string; id: string },
  workerId: string,
): Promise<CallRow | undefined> {
  const now = deps.now();
  const [row] = await withTenant(deps.db, call.tenantId, (tx) =>
    tx
      .update(tables.calls)
      .set({ status: 'in_progress', answeredAt: now, workerId, heartbeatAt: now })
      .where(and(eq(tables.calls.id, call.id), eq(tables.calls.status, 'ringing')))
      .returning(),
  );
  return row;
}

/**
 * Refuses a ringing call at media time (the worker its socket reached is full or draining): it
 * becomes `rejected` with the reason, so Twilio's connect action plays the busy message instead of
 * the call waiting for the reaper as `no_media`. Undefined when the call was no longer ringing.
 */
export async function refuseCall(
  deps: Pick<Deps, 'db' | 'now' | 'store'>,
  call: { tenantId: string; id: string },
  reason: 'worker_busy',
): Promise<CallRow | undefined> {
  const now = deps.now();
  const [row] = await withTenant(deps.db, call.tenantId, (tx) =>
    tx
      .update(tables.calls)
      .set({ status: 'rejected', endReason: reason, endedAt: now, durationMs: 0 })
      .where(and(eq(tables.calls.id, call.id), eq(tables.calls.status, 'ringing')))
      .returning(),
  );
  if (row) {
    await publishCallUpdate(deps.store, {
      callId: row.id,
      tenantId: row.tenantId,
      type: 'call_ended',
      at: now.toISOString(),
      data: { status: row.status, reason },
    });
  }
  return row;
}
