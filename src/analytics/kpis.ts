import { type SQL, sql } from 'drizzle-orm';
import { type CrossTenantAccess, type DbOrTx, rawQuery, withAllTenants, withTenant } from '../db/index.js';
import type { Deps } from '../lib/deps.js';
import { AppError } from '../lib/errors.js';
import { type Day, tenantTimezone } from './daily-kpis.js';

/** The KPIs of a set of calls (a day, a period, a tenant). Rates are 0..1, null when undefined. */
export interface Kpis {
  calls: number;
  answeredCalls: number;
  completedCalls: number;
  failedCalls: number;
  containedCalls: number;
  /** Calls that ended without failure (or transfer) among answered calls. */
  containmentRate: number | null;
  avgDurationMs: number | null;
  p95DurationMs: number | null;
  toolCalls: number;
  toolSuccesses: number;
  toolSuccessRate: number | null;
  avgTurnLatencyMs: number | null;
  /** Calls per agent-reported outcome label. */
  outcomes: Record<string, number>;
  costUsd: string;
}

export interface KpiQuery {
  from?: Day;
  to?: Day;
  agentId?: string;
}

export const MAX_KPI_DAYS = 366;
const DAY_MS = 86_400_000;

const addDays = (day: Day, n: number): Day =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: Day, to: Day) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
const todayIn = (tz: string, now: Date): Day =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);

/** The period asked for (default: the last 30 days in the tenant's time zone), checked. */
export function kpiPeriod(query: KpiQuery, tz: string, now: Date): { from: Day; to: Day } {
  const to = query.to ?? todayIn(tz, now);
  const from = query.from ?? addDays(to, -29);
  for (const [name, day] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(day) ||
      Number.isNaN(Date.parse(`${day}T00:00:00Z`)) ||
      addDays(day, 0) !== day
    ) {
      throw new AppError('VALIDATION_FAILED', `${name} must be a date YYYY-MM-DD`, { field: name });
    }
  }
  if (from > to) throw new AppError('VALIDATION_FAILED', 'from must not be after to', { field: 'from' });
  if (daysBetween(from, to) > MAX_KPI_DAYS) {
    throw new AppError('VALIDATION_FAILED', `at most ${MAX_KPI_DAYS} days at once`, { field: 'from' });
  }
  return { from, to };
}

interface SumRow {
  key: string;
  calls: number;
  answered_calls: number;
  completed_calls: number;
  failed_calls: number;
  contained_calls: number;
  tool_calls: number;
  tool_successes: number;
  turn_latency_count: number;
  turn_latency_sum_ms: string | number;
  cost_usd: string;
}
interface DurationRow {
  key: string;
  avg_ms: string | number | null;
  p95_ms: number | null;
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);

function kpisFrom(
  sums: SumRow | undefined,
  durations: DurationRow | undefined,
  outcomes: Record<string, number>,
): Kpis {
  const n = (v: unknown) => Number(v ?? 0);
  const latencyCount = n(sums?.turn_latency_count);
  return {
    calls: n(sums?.calls),
    answeredCalls: n(sums?.answered_calls),
    completedCalls: n(sums?.completed_calls),
    failedCalls: n(sums?.failed_calls),
    containedCalls: n(sums?.contained_calls),
    containmentRate: rate(n(sums?.contained_calls), n(sums?.answered_calls)),
    avgDurationMs: durations?.avg_ms == null ? null : Math.round(Number(durations.avg_ms)),
    p95DurationMs: durations?.p95_ms ?? null,
    toolCalls: n(sums?.tool_calls),
    toolSuccesses: n(sums?.tool_successes),
    toolSuccessRate: rate(n(sums?.tool_successes), n(sums?.tool_calls)),
    avgTurnLatencyMs: latencyCount > 0 ? Math.round(n(sums?.turn_latency_sum_ms) / latencyCount) : null,
    outcomes,
    costUsd: Number(sums?.cost_usd ?? 0).toFixed(6),
  };
}

const SUMS = sql`
  sum(calls)::int as calls, sum(answered_calls)::int as answered_calls,
  sum(completed_calls)::int as completed_calls, sum(failed_calls)::int as failed_calls,
  sum(contained_calls)::int as contained_calls, sum(tool_calls)::int as tool_calls,
  sum(tool_successes)::int as tool_successes, sum(turn_latency_count)::int as turn_latency_count,
  sum(turn_latency_sum_ms) as turn_latency_sum_ms, sum(cost_usd)::text as cost_usd`;

/** Outcome counts per key, from daily rows' `outcomes` objects. */
async function outcomesBy(tx: DbOrTx, key: SQL, where: SQL): Promise<Map<string, Record<string, number>>> {
  const { rows } = await rawQuery<{ key: string; label: string; n: number }>(
    tx,
    sql`select ${key} as key, o.key as label, sum(o.value::int)::int as n
        from daily_kpis d, jsonb_each_text(d.outcomes) o where ${where} group by 1, 2`,
  );
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const m = out.get(r.key) ?? {};
    m[r.label] = Number(r.n);
    out.set(r.key, m);
  }
  return out;
}

/**
 * A tenant's KPIs for a period (days in its time zone): totals, a daily series (every day, zeros
 * included), and the previous period of the same length. Counts come from `daily_kpis`; average and
 * p95 duration, which do not add up across days, from the calls themselves.
 */
export async function getTenantKpis(deps: Pick<Deps, 'db' | 'now'>, tenantId: string, query: KpiQuery) {
  return withTenant(deps.db, tenantId, async (tx) => {
    const tz = await tenantTimezone(tx, tenantId);
    const { from, to } = kpiPeriod(query, tz, deps.now());
    const length = daysBetween(from, to);
    const previous = { from: addDays(from, -length), to: addDays(from, -1) };
    const agent = query.agentId === undefined ? sql`true` : sql`agent_id = ${query.agentId}`;
    const inRange = sql`d.tenant_id = ${tenantId} and d.day between ${previous.from}::date and ${to}::date and ${
      query.agentId === undefined ? sql`true` : sql`d.agent_id = ${query.agentId}`
    }`;
    const sums = await rawQuery<SumRow>(
      tx,
      sql`select coalesce(to_char(day, 'YYYY-MM-DD'), period) as key, ${SUMS}
          from (select *, case when day >= ${from}::date then 'current' else 'previous' end as period
                from daily_kpis
                where tenant_id = ${tenantId} and day between ${previous.from}::date and ${to}::date
                  and ${agent}) d
          group by grouping sets ((day), (period))`,
    );
    const callDay = sql`(started_at at time zone ${tz})::date`;
    const durations = await rawQuery<DurationRow>(
      tx,
      sql`select coalesce(to_char(day, 'YYYY-MM-DD'), period) as key, avg(duration_ms) as avg_ms,
                 (percentile_disc(0.95) within group (order by duration_ms))::int as p95_ms
          from (select ${callDay} as day,
                       case when ${callDay} >= ${from}::date then 'current' else 'previous' end as period,
                       duration_ms
                from calls
                where tenant_id = ${tenantId} and status in ('completed', 'failed', 'rejected')
                  and started_at >= (${previous.from}::date::timestamp at time zone ${tz})
                  and started_at < ((${to}::date + 1)::timestamp at time zone ${tz})
                  and ${query.agentId === undefined ? sql`true` : sql`coalesce(agent_id, '') = ${query.agentId}`}) c
          group by grouping sets ((day), (period))`,
    );
    const outcomes = await outcomesBy(
      tx,
      sql`case when d.day >= ${from}::date then 'current' else 'previous' end`,
      inRange,
    );
    const dailyOutcomes = await outcomesBy(tx, sql`to_char(d.day, 'YYYY-MM-DD')`, inRange);
    const sumBy = new Map(sums.rows.map((r) => [r.key, r]));
    const durationBy = new Map(durations.rows.map((r) => [r.key, r]));
    const at = (key: string, outcomeMap: Map<string, Record<string, number>>) =>
      kpisFrom(sumBy.get(key), durationBy.get(key), outcomeMap.get(key) ?? {});
    return {
      tenantId,
      timezone: tz,
      agentId: query.agentId ?? null,
      from,
      to,
      totals: at('current', outcomes),
      series: Array.from({ length }, (_, i) => {
        const day = addDays(from, i);
        return { day, ...at(day, dailyOutcomes) };
      }),
      previous: { ...previous, totals: at('previous', outcomes) },
    };
  });
}

/** Internal: each tenant's KPI totals for a period (each tenant's days in its own time zone). */
export async function listTenantKpis(
  deps: Pick<Deps, 'db' | 'now' | 'crossTenantLog'>,
  access: CrossTenantAccess,
  query: { from?: Day; to?: Day },
) {
  const { from, to } = kpiPeriod(query, 'UTC', deps.now());
  return withAllTenants(deps.db, access, deps.crossTenantLog, async (tx) => {
    const tenants = await rawQuery<{ id: string; name: string; timezone: string }>(
      tx,
      sql`select id, name, timezone from tenants order by name, id`,
    );
    const sums = await rawQuery<SumRow>(
      tx,
      sql`select tenant_id as key, ${SUMS} from daily_kpis
          where day between ${from}::date and ${to}::date group by tenant_id`,
    );
    const durations = await rawQuery<DurationRow>(
      tx,
      sql`select c.tenant_id as key, avg(c.duration_ms) as avg_ms,
                 (percentile_disc(0.95) within group (order by c.duration_ms))::int as p95_ms
          from calls c join tenants t on t.id = c.tenant_id
          where c.status in ('completed', 'failed', 'rejected')
            and (c.started_at at time zone t.timezone)::date between ${from}::date and ${to}::date
          group by c.tenant_id`,
    );
    const outcomes = await outcomesBy(tx, sql`d.tenant_id`, sql`d.day between ${from}::date and ${to}::date`);
    const sumBy = new Map(sums.rows.map((r) => [r.key, r]));
    const durationBy = new Map(durations.rows.map((r) => [r.key, r]));
    return {
      from,
      to,
      items: tenants.rows.map((t) => ({
        tenantId: t.id,
        tenantName: t.name,
        timezone: t.timezone,
        totals: kpisFrom(sumBy.get(t.id), durationBy.get(t.id), outcomes.get(t.id) ?? {}),
      })),
    };
  });
}
