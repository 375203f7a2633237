import { and, eq } from 'drizzle-orm';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../lib/deps.js';
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
