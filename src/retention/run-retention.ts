import { eq, type SQL, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/index.js';
import {
  type CrossTenantAccess,
  rawQuery,
  type Tx,
  tables,
  withAllTenants,
  withTenant,
} from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { Actor } from '../lib/actor.js';
import { AppError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import type { BlobStore } from '../storage/index.js';
import type { RunLock } from './run-lock.js';

export type RetentionRun = typeof tables.retentionRuns.$inferSelect;
export type RetentionTrigger = RetentionRun['trigger'];

/** What one call lost (or, in a dry run, would lose). */
export type DeletedCounts = {
  utterances: number;
  events: number;
  toolBodies: number;
  recordings: number;
  recordingBytes: number;
};

export interface PlannedDeletion extends DeletedCounts {
  tenantId: string;
  callId: string;
  policyDays: number;
}

export interface RetentionRunResult extends RetentionRun {
  /** Dry runs only: every call the run would clean, with what it would delete. */
  planned?: PlannedDeletion[];
}

export interface RetentionRunOptions {
  trigger: RetentionTrigger;
  actor: Actor;
  dryRun?: boolean;
  /** Limit the run to one tenant. */
  tenantId?: string;
  /** The run's notion of now (expiry cut-off, content_deleted_at); default deps.now(). */
  asOf?: Date;
}

/** Test seams: called after a batch's blobs are gone and before its rows are deleted. */
export interface RetentionHooks {
  afterBlobsDeleted?: (callIds: string[]) => Promise<void>;
}

export interface RetentionEnv {
  blobs: BlobStore;
  lock: RunLock;
  /** Calls per transaction (bounded so the portal's queries never wait long). */
  batchSize?: number;
  hooks?: RetentionHooks;
}

const DEFAULT_BATCH = 500;
const BLOB_CONCURRENCY = 8;
const DAY_MS = 86_400_000;
const ACCESS: CrossTenantAccess = { actor: 'system:retention', purpose: 'retention.run' };

interface TenantPolicy {
  id: string;
  retention_days: number;
  delete_recordings: boolean;
}

const ids = (values: string[]): SQL =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

const iso = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** Ended calls past the cut-off whose content still exists and is not on hold or already in progress. */
const eligible = (tenantId: string, cutoff: Date) => sql`
  c.tenant_id = ${tenantId} and c.content_deleted_at is null and not c.legal_hold
  and c.status in ('completed', 'failed', 'rejected')
  and coalesce(c.ended_at, c.started_at) <= ${iso(cutoff)}
  and not exists (select 1 from retention_pending p where p.call_id = c.id)`;

/**
 * One retention run: finishes cleanups an earlier run left half-way, then deletes the content of
 * every expired call not on legal hold, tenant by tenant in bounded batches. Per batch: the planned
 * blob keys are written first (retention_pending), then the blobs are deleted (idempotently), then
 * one transaction deletes the rows, marks the calls and writes one deletion_audit row per call. A
 * crash anywhere leaves either nothing done or a pending row the next run completes.
 */
export async function runRetention(
  deps: Deps,
  env: RetentionEnv,
  options: RetentionRunOptions,
): Promise<RetentionRunResult> {
  const result = await env.lock(() => run(deps, env, options));
  if (result === null) throw new AppError('CONFLICT', 'a retention run is already in progress');
  return result;
}

async function run(deps: Deps, env: RetentionEnv, options: RetentionRunOptions): Promise<RetentionRunResult> {
  const asOf = options.asOf ?? deps.now();
  const dryRun = options.dryRun ?? false;
  const batch = env.batchSize ?? DEFAULT_BATCH;
  const runId = newId('retentionRun');
  const all = <T>(fn: (tx: Tx) => Promise<T>) => withAllTenants(deps.db, ACCESS, deps.crossTenantLog, fn);

  await all(async (tx) => {
    // Under the lock no other run is alive: a run still marked running was cut off mid-way.
    await tx
      .update(tables.retentionRuns)
      .set({ status: 'failed', finishedAt: deps.now(), errorMessage: `interrupted; resumed by ${runId}` })
      .where(eq(tables.retentionRuns.status, 'running'));
    await tx.insert(tables.retentionRuns).values({
      id: runId,
      tenantId: options.tenantId ?? null,
      dryRun,
      trigger: options.trigger,
      actorId: options.actor.id,
      asOf,
      startedAt: deps.now(),
    });
  });
  const counts = { callsExamined: 0, callsCleaned: 0, skippedHold: 0, errors: 0 };
  const planned: PlannedDeletion[] = [];
  let failure: unknown;
  try {
    const tenants = await all(async (tx) => {
      const { rows } = await rawQuery<TenantPolicy>(
        tx,
        sql`select t.id, coalesce(p.retention_days, 30) as retention_days,
              coalesce(p.delete_recordings, true) as delete_recordings
            from tenants t left join retention_policies p on p.tenant_id = t.id
            ${options.tenantId ? sql`where t.id = ${options.tenantId}` : sql``}
            order by t.id`,
      );
      return rows;
    });
    for (const tenant of tenants) {
      const cutoff = new Date(asOf.getTime() - tenant.retention_days * DAY_MS);
      const held = await withTenant(deps.db, tenant.id, async (tx) => {
        const { rows } = await rawQuery<{ n: number }>(
          tx,
          sql`select count(*)::int as n from calls c
              where c.tenant_id = ${tenant.id} and c.content_deleted_at is null and c.legal_hold
              and c.status in ('completed', 'failed', 'rejected')
              and coalesce(c.ended_at, c.started_at) <= ${iso(cutoff)}`,
        );
        return rows[0]?.n ?? 0;
      });
      counts.skippedHold += held;
      counts.callsExamined += held;
      if (dryRun) {
        const would = await planDry(deps, runId, tenant, cutoff, asOf, batch);
        counts.callsExamined += would.length;
        counts.callsCleaned += would.length;
        planned.push(...would);
        continue;
      }
      await resumePending(deps, env, runId, tenant.id, asOf, batch, counts);
      await cleanExpired(deps, env, runId, tenant, cutoff, asOf, batch, counts);
    }
  } catch (err) {
    failure = err;
    deps.log.error({ err, runId }, 'retention run failed');
  }
  const finished = await all(async (tx) => {
    const [row] = await tx
      .update(tables.retentionRuns)
      .set({
        ...counts,
        status: failure === undefined ? 'succeeded' : 'failed',
        finishedAt: deps.now(),
        errorMessage: failure === undefined ? null : String((failure as Error).message ?? failure),
      })
      .where(eq(tables.retentionRuns.id, runId))
      .returning();
    await recordAudit(tx, options.actor, {
      tenantId: options.tenantId ?? null,
      action: dryRun ? 'retention.dry_run' : 'retention.run',
      targetType: 'retention_run',
      targetId: runId,
      outcome: failure === undefined ? 'success' : 'failure',
      summary: { trigger: options.trigger, asOf: asOf.toISOString(), ...counts },
    });
    return row!;
  });
  return dryRun ? { ...finished, planned } : finished;
}

/** Cleanups a crashed run planned (and perhaps half did): delete their blobs again, then their rows. */
async function resumePending(
  deps: Deps,
  env: RetentionEnv,
  runId: string,
  tenantId: string,
  asOf: Date,
  batch: number,
  counts: { callsExamined: number; callsCleaned: number; errors: number },
) {
  let after = '';
  for (;;) {
    const pending = await withTenant(deps.db, tenantId, async (tx) => {
      const { rows } = await rawQuery<{ call_id: string; blob_keys: string[] }>(
        tx,
        sql`select call_id, blob_keys from retention_pending
            where tenant_id = ${tenantId} and call_id > ${after} order by call_id limit ${batch}`,
      );
      return rows;
    });
    if (pending.length === 0) return;
    after = pending.at(-1)!.call_id;
    counts.callsExamined += pending.length;
    await finishBatch(deps, env, runId, tenantId, asOf, pending, counts);
  }
}

async function cleanExpired(
  deps: Deps,
  env: RetentionEnv,
  runId: string,
  tenant: TenantPolicy,
  cutoff: Date,
  asOf: Date,
  batch: number,
  counts: { callsExamined: number; callsCleaned: number; errors: number },
) {
  for (;;) {
    // Plan: lock a batch of expired calls and write their blob keys before anything is deleted.
    const planned = await withTenant(deps.db, tenant.id, async (tx) => {
      const { rows } = await rawQuery<{ call_id: string; blob_keys: string[] }>(
        tx,
        sql`with picked as (
              select c.id, c.tenant_id from calls c where ${eligible(tenant.id, cutoff)}
              order by coalesce(c.ended_at, c.started_at), c.id
              limit ${batch}
              for update of c skip locked
            )
            insert into retention_pending (call_id, tenant_id, run_id, policy_days, blob_keys, created_at)
            select picked.id, picked.tenant_id, ${runId}, ${tenant.retention_days},
              ${
                tenant.delete_recordings
                  ? sql`coalesce((select jsonb_agg(r.storage_key order by r.storage_key)
                          from recordings r where r.call_id = picked.id), '[]'::jsonb)`
                  : sql`'[]'::jsonb`
              },
              ${iso(asOf)}
            from picked
            returning call_id, blob_keys`,
      );
      return rows;
    });
    if (planned.length === 0) return;
    counts.callsExamined += planned.length;
    await finishBatch(deps, env, runId, tenant.id, asOf, planned, counts);
  }
}

/** Deletes the batch's blobs, then (for the calls whose blobs are all gone) their rows, in one transaction. */
async function finishBatch(
  deps: Deps,
  env: RetentionEnv,
  runId: string,
  tenantId: string,
  asOf: Date,
  pending: { call_id: string; blob_keys: string[] }[],
  counts: { callsCleaned: number; errors: number },
) {
  const ready: string[] = [];
  for (let i = 0; i < pending.length; i += BLOB_CONCURRENCY) {
    await Promise.all(
      pending.slice(i, i + BLOB_CONCURRENCY).map(async (p) => {
        try {
          for (const key of p.blob_keys) await env.blobs.delete(key);
          ready.push(p.call_id);
        } catch (err) {
          counts.errors += 1;
          deps.log.warn({ err, runId, callId: p.call_id }, 'retention could not delete a recording blob');
        }
      }),
    );
  }
  if (ready.length === 0) return;
  await env.hooks?.afterBlobsDeleted?.(ready);
  try {
    const cleaned = await withTenant(deps.db, tenantId, (tx) => deleteContent(tx, runId, ready, asOf));
    counts.callsCleaned += cleaned;
  } catch (err) {
    counts.errors += ready.length;
    deps.log.error({ err, runId, tenantId }, 'retention could not delete a batch of call content');
  }
}

interface DeletedRow {
  call_id: string;
  tenant_id: string;
  policy_days: number;
  utterances: number;
  events: number;
  tool_bodies: number;
  recordings: number;
  recording_bytes: number | string;
}

async function deleteContent(tx: Tx, runId: string, callIds: string[], asOf: Date): Promise<number> {
  const { rows } = await rawQuery<DeletedRow>(
    tx,
    sql`with t as (
          select call_id, tenant_id, policy_days, blob_keys from retention_pending where call_id in (${ids(callIds)})
        ),
        u as (delete from utterances x using t where x.call_id = t.call_id returning x.call_id),
        e as (delete from call_events x using t where x.call_id = t.call_id returning x.call_id),
        r as (
          delete from recordings x using t
          where x.call_id = t.call_id and jsonb_exists(t.blob_keys, x.storage_key)
          returning x.call_id, x.size_bytes
        ),
        te as (
          update tool_executions x set arguments = null, result = null from t
          where x.call_id = t.call_id and (x.arguments is not null or x.result is not null)
          returning x.call_id
        ),
        ta as (
          update tool_execution_attempts a set request = null, response = null
          from tool_executions x, t
          where a.execution_id = x.id and x.call_id = t.call_id and (a.request is not null or a.response is not null)
          returning x.call_id
        ),
        c as (update calls x set content_deleted_at = ${iso(asOf)} from t where x.id = t.call_id returning x.id),
        d as (delete from retention_pending p using t where p.call_id = t.call_id returning p.call_id)
        select t.call_id, t.tenant_id, t.policy_days,
          coalesce(uc.n, 0)::int as utterances,
          coalesce(ec.n, 0)::int as events,
          (coalesce(tec.n, 0) + coalesce(tac.n, 0))::int as tool_bodies,
          coalesce(rc.n, 0)::int as recordings,
          coalesce(rc.bytes, 0)::bigint as recording_bytes
        from t
        left join (select call_id, count(*) as n from u group by call_id) uc on uc.call_id = t.call_id
        left join (select call_id, count(*) as n from e group by call_id) ec on ec.call_id = t.call_id
        left join (select call_id, count(*) as n from te group by call_id) tec on tec.call_id = t.call_id
        left join (select call_id, count(*) as n from ta group by call_id) tac on tac.call_id = t.call_id
        left join (select call_id, count(*) as n, sum(size_bytes) as bytes from r group by call_id) rc
          on rc.call_id = t.call_id`,
  );
  await auditDeletions(
    tx,
    { runId, dryRun: false, asOf },
    rows.map((row) => deletionOf(row.tenant_id, row.policy_days, row)),
  );
  return rows.length;
}

/** A dry run: what each expired call would lose, recorded as dry deletion_audit rows; nothing deleted. */
async function planDry(
  deps: Deps,
  runId: string,
  tenant: TenantPolicy,
  cutoff: Date,
  asOf: Date,
  batch: number,
): Promise<PlannedDeletion[]> {
  const out: PlannedDeletion[] = [];
  let after = '';
  for (;;) {
    const batchPlanned = await withTenant(deps.db, tenant.id, async (tx) => {
      const { rows } = await rawQuery<Omit<DeletedRow, 'policy_days' | 'tenant_id'>>(
        tx,
        sql`select c.id as call_id,
              (select count(*) from utterances u where u.call_id = c.id)::int as utterances,
              (select count(*) from call_events e where e.call_id = c.id)::int as events,
              ((select count(*) from tool_executions x where x.call_id = c.id
                  and (x.arguments is not null or x.result is not null))
                + (select count(*) from tool_execution_attempts a join tool_executions x on x.id = a.execution_id
                  where x.call_id = c.id and (a.request is not null or a.response is not null)))::int as tool_bodies,
              ${tenant.delete_recordings ? sql`(select count(*) from recordings r where r.call_id = c.id)` : sql`0`}::int as recordings,
              ${tenant.delete_recordings ? sql`(select coalesce(sum(r.size_bytes), 0) from recordings r where r.call_id = c.id)` : sql`0`}::bigint as recording_bytes
            from calls c where ${eligible(tenant.id, cutoff)} and c.id > ${after}
            order by c.id limit ${batch}`,
      );
      const planned = rows.map((row) => deletionOf(tenant.id, tenant.retention_days, row));
      await auditDeletions(tx, { runId, dryRun: true, asOf }, planned);
      return planned;
    });
    if (batchPlanned.length === 0) return out;
    after = batchPlanned.at(-1)!.callId;
    out.push(...batchPlanned);
  }
}

/** What a call loses to retention, from the counts a deletion (or a dry run's count) returned. */
function deletionOf(
  tenantId: string,
  policyDays: number,
  row: Omit<DeletedRow, 'policy_days' | 'tenant_id'>,
): PlannedDeletion {
  return {
    tenantId,
    callId: row.call_id,
    policyDays,
    utterances: row.utterances,
    events: row.events,
    toolBodies: row.tool_bodies,
    recordings: row.recordings,
    recordingBytes: Number(row.recording_bytes),
  };
}

/** One deletion_audit row per call: what the run deleted from it (in a dry run, would delete). */
async function auditDeletions(
  tx: Tx,
  run: { runId: string; dryRun: boolean; asOf: Date },
  deletions: PlannedDeletion[],
): Promise<void> {
  if (deletions.length === 0) return;
  await tx.insert(tables.deletionAudit).values(
    deletions.map(({ tenantId, callId, policyDays, ...deleted }) => ({
      id: newId('deletion'),
      tenantId,
      callId,
      runId: run.runId,
      dryRun: run.dryRun,
      policyDays,
      deleted,
      createdAt: run.asOf,
    })),
  );
}
