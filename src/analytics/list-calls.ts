import { and, desc, eq, lt } from 'drizzle-orm';
import { tables, withTenant } from '../db/index.js';
import type { Deps } from '../lib/deps.js';
import { type PageInput, toPage } from '../lib/pagination.js';

export type CallStatus = (typeof tables.calls.$inferSelect)['status'];

export const callSummaryColumns = {
  id: tables.calls.id,
  tenantId: tables.calls.tenantId,
  agentId: tables.calls.agentId,
  agentVersionId: tables.calls.agentVersionId,
  fromNumber: tables.calls.fromNumber,
  toNumber: tables.calls.toNumber,
  status: tables.calls.status,
  endReason: tables.calls.endReason,
  legalHold: tables.calls.legalHold,
  startedAt: tables.calls.startedAt,
  endedAt: tables.calls.endedAt,
  durationMs: tables.calls.durationMs,
};

export async function listCalls(deps: Deps, tenantId: string, input: PageInput & { status?: CallStatus }) {
  return withTenant(deps.db, tenantId, async (tx) =>
    toPage(
      await tx
        .select(callSummaryColumns)
        .from(tables.calls)
        .where(
          and(
            input.status ? eq(tables.calls.status, input.status) : undefined,
            input.cursor ? lt(tables.calls.id, input.cursor) : undefined,
          ),
        )
        .orderBy(desc(tables.calls.id))
        .limit(input.limit + 1),
      input.limit,
    ),
  );
}
