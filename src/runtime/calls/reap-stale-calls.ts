import { and, eq, lt, type SQL } from 'drizzle-orm';
import { type CallEndReason, tables, withAllTenants } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import { publishCallUpdate } from '../live-events.js';

export interface ReapOptions {
  /** An in-progress call whose heartbeat is older than this lost its worker. */
  staleAfterMs: number;
  /** A ringing call whose media never connected within this long is given up. */
  ringingTimeoutMs: number;
}

/**
 * Marks calls whose worker died `failed` (reason `worker_lost`), and calls whose media never
 * connected `failed` (`no_media`). What was persisted before stays as it is. Runs across tenants:
 * one sweep covers every worker's calls.
 */
export async function reapStaleCalls(
  deps: Deps,
  options: ReapOptions,
): Promise<{ id: string; tenantId: string; reason: CallEndReason }[]> {
  const now = deps.now();
  const staleBefore = new Date(now.getTime() - options.staleAfterMs);
  const ringingBefore = new Date(now.getTime() - options.ringingTimeoutMs);
  const c = tables.calls;
  const reaped = await withAllTenants(
    deps.db,
    { actor: 'system:reaper', purpose: 'call.reap_stale' },
    deps.crossTenantLog,
    async (tx) => {
      const fail = async (reason: 'worker_lost' | 'no_media', where: SQL | undefined) =>
        (
          await tx
            .update(c)
            .set({ status: 'failed', endReason: reason, endedAt: now })
            .where(where)
            .returning({ id: c.id, tenantId: c.tenantId })
        ).map((r) => ({ ...r, reason }));
      const rows = [
        ...(await fail('worker_lost', and(eq(c.status, 'in_progress'), lt(c.heartbeatAt, staleBefore)))),
        ...(await fail('no_media', and(eq(c.status, 'ringing'), lt(c.startedAt, ringingBefore)))),
      ];
      if (rows.length > 0) {
        await tx.insert(tables.callEvents).values(
          rows.map((r) => ({
            tenantId: r.tenantId,
            callId: r.id,
            type: 'call_reaped',
            at: now,
            data: { status: 'failed', reason: r.reason },
          })),
        );
      }
      return rows;
    },
  );
  for (const r of reaped) {
    deps.log.warn({ callId: r.id, tenantId: r.tenantId, reason: r.reason }, 'stale call marked failed');
    await publishCallUpdate(deps.store, {
      callId: r.id,
      tenantId: r.tenantId,
      type: 'call_ended',
      at: now.toISOString(),
      data: { status: 'failed', reason: r.reason },
    });
  }
  return reaped;
}
