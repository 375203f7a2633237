import { eq, sql } from 'drizzle-orm';
import { enqueueAnalysis } from '../analysis/queue.js';
import {
  type CrossTenantAccess,
  type DbOrTx,
  rawQuery,
  tables,
  withAllTenants,
  withTenant,
} from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { recomputeCallMetrics } from './call-metrics.js';

/** Statuses of a call that is over: these are counted in the KPIs. */
export const ENDED_STATUSES = ['completed', 'failed', 'rejected'] as const;

/** A calendar day `YYYY-MM-DD`. */
export type Day = string;

export async function tenantTimezone(tx: DbOrTx, tenantId: string): Promise<string> {
  const [row] = await tx
    .select({ timezone: tables.tenants.timezone })
    .from(tables.tenants)
    .where(eq(tables.tenants.id, tenantId));
  return row?.timezone ?? 'UTC';
}

/**
 * Rebuilds a tenant's `daily_kpis` rows for the days `from`..`to` (inclusive, in the tenant's time
 * zone) from `calls` and `call_metrics`: the days are replaced, never incremented, so recomputing or
 * replaying a call end leaves the same rows. Serialised per tenant by a transaction lock.
 */
export async function refreshDailyKpis(tx: DbOrTx, tenantId: string, from: Day, to: Day): Promise<void> {
  const tz = await tenantTimezone(tx, tenantId);
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`daily_kpis:${tenantId}`}))`);
  await tx.execute(
    sql`delete from daily_kpis where tenant_id = ${tenantId} and day between ${from}::date and ${to}::date`,
  );
  await tx.execute(sql`
    with base as (
      select coalesce(c.agent_id, '') as agent_id,
             (c.started_at at time zone ${tz})::date as day,
             c.status, c.answered_at, c.duration_ms, c.outcome,
             m.tool_calls, m.tool_successes, m.turn_latency_count, m.turn_latency_sum_ms, m.cost_usd,
             a.success
      from calls c left join call_metrics m on m.call_id = c.id
        left join call_analyses a on a.call_id = c.id and a.status = 'done'
      where c.tenant_id = ${tenantId}
        and c.status in ('completed', 'failed', 'rejected')
        and c.started_at >= (${from}::date::timestamp at time zone ${tz})
        and c.started_at < ((${to}::date + 1)::timestamp at time zone ${tz})
    ),
    outcome_counts as (
      select agent_id, day, jsonb_object_agg(outcome, n) as outcomes
      from (select agent_id, day, outcome, count(*)::int as n from base
            where outcome is not null group by agent_id, day, outcome) o
      group by agent_id, day
    ),
    duration_histograms as (
      select agent_id, day, jsonb_object_agg(sec, n) as duration_seconds
      from (select agent_id, day, duration_ms / 1000 as sec, count(*)::int as n from base
            where duration_ms is not null group by agent_id, day, sec) h
      group by agent_id, day
    ),
    rolled as (
      select agent_id, day,
             count(*)::int as calls,
             count(answered_at)::int as answered_calls,
             (count(*) filter (where status = 'completed'))::int as completed_calls,
             (count(*) filter (where status = 'failed'))::int as failed_calls,
             (count(*) filter (where status = 'completed' and answered_at is not null))::int as contained_calls,
             coalesce(sum(duration_ms), 0)::bigint as total_duration_ms,
             round(avg(duration_ms))::int as avg_duration_ms,
             (percentile_disc(0.95) within group (order by duration_ms))::int as p95_duration_ms,
             coalesce(sum(tool_calls), 0)::int as tool_calls,
             coalesce(sum(tool_successes), 0)::int as tool_successes,
             coalesce(sum(turn_latency_count), 0)::int as turn_latency_count,
             coalesce(sum(turn_latency_sum_ms), 0)::bigint as turn_latency_sum_ms,
             coalesce(sum(cost_usd), 0) as cost_usd,
             count(success)::int as analysed_calls,
             (count(*) filter (where success))::int as successful_calls
      from base group by agent_id, day
    )
    insert into daily_kpis (tenant_id, agent_id, day, calls, answered_calls, completed_calls, failed_calls,
      contained_calls, total_duration_ms, avg_duration_ms, p95_duration_ms, tool_calls, tool_successes,
      tool_failures, turn_latency_count, turn_latency_sum_ms, avg_turn_latency_ms, outcomes, duration_seconds,
      cost_usd, analysed_calls, successful_calls, updated_at)
    select ${tenantId}, r.agent_id, r.day, r.calls, r.answered_calls, r.completed_calls, r.failed_calls,
      r.contained_calls, r.total_duration_ms, r.avg_duration_ms, r.p95_duration_ms, r.tool_calls, r.tool_successes,
      r.tool_calls - r.tool_successes, r.turn_latency_count, r.turn_latency_sum_ms,
      case when r.turn_latency_count > 0 then round(r.turn_latency_sum_ms::numeric / r.turn_latency_count)::int end,
      coalesce(o.outcomes, '{}'::jsonb), coalesce(h.duration_seconds, '{}'::jsonb), r.cost_usd,
      r.analysed_calls, r.successful_calls, now()
    from rolled r left join outcome_counts o on o.agent_id = r.agent_id and o.day = r.day
      left join duration_histograms h on h.agent_id = r.agent_id and h.day = r.day
    on conflict (tenant_id, agent_id, day) do update set
      calls = excluded.calls, answered_calls = excluded.answered_calls,
      completed_calls = excluded.completed_calls, failed_calls = excluded.failed_calls,
      contained_calls = excluded.contained_calls, total_duration_ms = excluded.total_duration_ms,
      avg_duration_ms = excluded.avg_duration_ms, p95_duration_ms = excluded.p95_duration_ms,
      tool_calls = excluded.tool_calls, tool_successes = excluded.tool_successes,
      tool_failures = excluded.tool_failures, turn_latency_count = excluded.turn_latency_count,
      turn_latency_sum_ms = excluded.turn_latency_sum_ms, avg_turn_latency_ms = excluded.avg_turn_latency_ms,
      outcomes = excluded.outcomes, duration_seconds = excluded.duration_seconds, cost_usd = excluded.cost_usd,
      analysed_calls = excluded.analysed_calls, successful_calls = excluded.successful_calls, updated_at = excluded.updated_at
  `);
}

/** The day (in the tenant's time zone) a call counts on. */
async function callDay(tx: DbOrTx, callId: string, tz: string): Promise<Day | null> {
  const { rows } = await rawQuery<{ day: string }>(
    tx,
    sql`select to_char((started_at at time zone ${tz})::date, 'YYYY-MM-DD') as day from calls where id = ${callId}`,
  );
  return rows[0]?.day ?? null;
}

/**
 * Copies the label the agent last reported (its `set_outcome` tool) onto the call. The recorder does
 * it in the transaction that marks the call ended, so an ended call already carries its outcome.
 */
export async function copyReportedOutcome(tx: DbOrTx, callId: string): Promise<void> {
  await tx.execute(sql`
    update calls set outcome = e.data->>'label'
    from (select data from call_events where call_id = ${callId} and type = 'outcome_reported'
          order by id desc limit 1) e
    where calls.id = ${callId} and calls.content_deleted_at is null`);
}

/**
 * What happens once a call is over: its metrics are computed and stored, the agent's reported
 * outcome is copied onto the call, its day's KPIs rebuilt, and its post-call analysis queued. Idempotent: running it again for the
 * same call (a replayed end) leaves the same rows.
 */
export async function finalizeCall(deps: Pick<Deps, 'db'>, call: { id: string; tenantId: string }) {
  await withTenant(deps.db, call.tenantId, async (tx) => {
    await recomputeCallMetrics(tx, call.tenantId, call.id);
    await copyReportedOutcome(tx, call.id);
    const day = await callDay(tx, call.id, await tenantTimezone(tx, call.tenantId));
    if (day) await refreshDailyKpis(tx, call.tenantId, day, day);
    await enqueueAnalysis(tx, call.tenantId, call.id);
  });
}

export interface RecomputeKpisInput {
  from: Day;
  to: Day;
  /** Only this tenant (id); every tenant when absent. */
  tenantId?: string;
  /** Also recompute each ended call's metrics (where its content still exists). */
  metrics?: boolean;
}

/** `switchboard kpis recompute`: rebuilds the daily KPIs of a range of days, per tenant. */
export async function recomputeKpis(
  deps: Deps,
  access: CrossTenantAccess,
  input: RecomputeKpisInput,
): Promise<{ tenants: number }> {
  const tenantIds = input.tenantId
    ? [input.tenantId]
    : (
        await withAllTenants(deps.db, access, deps.crossTenantLog, (tx) =>
          tx.select({ id: tables.tenants.id }).from(tables.tenants),
        )
      ).map((t) => t.id);
  for (const tenantId of tenantIds) {
    await withTenant(deps.db, tenantId, async (tx) => {
      if (input.metrics) {
        const tz = await tenantTimezone(tx, tenantId);
        const { rows } = await rawQuery<{ id: string }>(
          tx,
          sql`select id from calls where tenant_id = ${tenantId} and status in ('completed', 'failed', 'rejected')
            and started_at >= (${input.from}::date::timestamp at time zone ${tz})
            and started_at < ((${input.to}::date + 1)::timestamp at time zone ${tz})`,
        );
        for (const row of rows) await recomputeCallMetrics(tx, tenantId, row.id);
      }
      await refreshDailyKpis(tx, tenantId, input.from, input.to);
    });
  }
  return { tenants: tenantIds.length };
}
