import { sql } from 'drizzle-orm';
import { type DbOrTx, rawQuery } from '../db/index.js';

/**
 * Queues a call's post-call analysis: one row per call, so replaying a call end (or finalizing it
 * again) queues nothing new. Runs in the caller's tenant transaction.
 */
export async function enqueueAnalysis(tx: DbOrTx, tenantId: string, callId: string): Promise<void> {
  await tx.execute(sql`
    insert into call_analyses (call_id, tenant_id) values (${callId}, ${tenantId})
    on conflict (call_id) do nothing`);
}

export interface ClaimedAnalysis {
  callId: string;
  tenantId: string;
  /** This attempt's number, from 1. */
  attempt: number;
}

/**
 * Claims the oldest due row (pending, or running whose lease ran out after a crash) for one attempt,
 * leasing it for `leaseMs`. Rows that used up their attempts while leased are marked failed first.
 * SKIP LOCKED: workers never wait on each other or claim the same row.
 */
export async function claimAnalysis(
  tx: DbOrTx,
  now: Date,
  options: { maxAttempts: number; leaseMs: number },
): Promise<ClaimedAnalysis | undefined> {
  const at = now.toISOString();
  await tx.execute(sql`
    update call_analyses set status = 'failed', error = coalesce(error, 'the analysis did not finish'),
      updated_at = ${at}::timestamptz
    where status = 'running' and next_attempt_at <= ${at}::timestamptz and attempts >= ${options.maxAttempts}`);
  const { rows } = await rawQuery<{ call_id: string; tenant_id: string; attempts: number }>(
    tx,
    sql`
    update call_analyses set status = 'running', attempts = attempts + 1, updated_at = ${at}::timestamptz,
      next_attempt_at = ${at}::timestamptz + ${`${options.leaseMs} milliseconds`}::interval
    where call_id = (
      select call_id from call_analyses
      where status in ('pending', 'running') and next_attempt_at <= ${at}::timestamptz
        and attempts < ${options.maxAttempts}
      order by next_attempt_at, call_id limit 1
      for update skip locked)
    returning call_id, tenant_id, attempts`,
  );
  const row = rows[0];
  return row ? { callId: row.call_id, tenantId: row.tenant_id, attempt: Number(row.attempts) } : undefined;
}
