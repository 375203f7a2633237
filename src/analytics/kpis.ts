import { type SQL, sql } from 'drizzle-orm';
import { type CrossTenantAccess, type DbOrTx, rawQuery, readAsTenant, withAllTenants } from '../db/index.js';
import type { Deps } from '../deps/index.js';
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
  /** To the second (from the rollups' per-second histograms). */
  p95DurationMs: number | null;
  toolCalls: number;
  toolSuccesses: number;
  toolSuccessRate: number | null;
  /** Calls the post-call analysis judged, those judged a success by the agent's rubric, and the rate. */
  analysedCalls: number;
  successfulCalls: number;
  successRate: number | null;
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
  analysed_calls: number;
  successful_calls: number;
  turn_latency_count: number;
  turn_latency_sum_ms: string | number;
  total_duration_ms: string | number;
  cost_usd: string;
}
interface DurationRow {
  key: string;
  /** Calls with a duration. */
  count: number;
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
  const timedCalls = n(durations?.count);
  return {
    calls: n(sums?.calls),
    answeredCalls: n(sums?.answered_calls),
    completedCalls: n(sums?.completed_calls),
    failedCalls: n(sums?.failed_calls),
    containedCalls: n(sums?.contained_calls),
    containmentRate: rate(n(sums?.contained_calls), n(sums?.answered_calls)),
    avgDurationMs: timedCalls > 0 ? Math.round(n(sums?.total_duration_ms) / timedCalls) : null,
    p95DurationMs: durations?.p95_ms ?? null,
    toolCalls: n(sums?.tool_calls),
    toolSuccesses: n(sums?.tool_successes),
    toolSuccessRate: rate(n(sums?.tool_successes), n(sums?.tool_calls)),
    analysedCalls: n(sums?.analysed_calls),
    successfulCalls: n(sums?.successful_calls),
    successRate: rate(n(sums?.successful_calls), n(sums?.analysed_calls)),
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
  sum(analysed_calls)::int as analysed_calls, sum(successful_calls)::int as successful_calls,
  sum(turn_latency_sum_ms) as turn_latency_sum_ms, sum(total_duration_ms) as total_duration_ms,
  sum(cost_usd)::text as cost_usd`;

/**
 * Rollup rows labelled by one or more keys (a day, a period, a tenant): each row is counted once
 * under each key, so one scan serves the daily series and the period totals.
 */
function keyed(keys: SQL[], where: SQL): SQL {
  return sql`select ${sql.join(
    keys.map((k, i) => sql`${k} as ${sql.raw(`k${i}`)}`),
    sql`, `,
  )}, d.outcomes, d.duration_seconds from daily_kpis d where ${where}`;
}
const keyColumns = (keys: SQL[]) => keys.map((_, i) => sql.raw(`k${i}`));
const anyKey = (keys: SQL[]) => sql`coalesce(${sql.join(keyColumns(keys), sql`, `)})`;
const groupingSets = (keys: SQL[], also: SQL) =>
  sql`grouping sets (${sql.join(
    keyColumns(keys).map((k) => sql`(${k}, ${also})`),
    sql`, `,
  )})`;

/** Outcome counts per key, from daily rows' `outcomes` objects. */
async function outcomesBy(tx: DbOrTx, keys: SQL[], where: SQL): Promise<Map<string, Record<string, number>>> {
  const { rows } = await rawQuery<{ key: string; label: string; n: number }>(
    tx,
    sql`select ${anyKey(keys)} as key, o.key as label, sum(o.value::int)::int as n
        from (${keyed(keys, where)}) d, jsonb_each_text(d.outcomes) o
        group by ${groupingSets(keys, sql`o.key`)}`,
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
 * Calls with a duration and their p95 duration per key, merged from the daily rows' per-second
 * histograms: a period reads a few hundred rollup rows instead of its calls; p95 is to the second.
 */
async function durationsBy(tx: DbOrTx, keys: SQL[], where: SQL): Promise<Map<string, DurationRow>> {
  const { rows } = await rawQuery<DurationRow>(
    tx,
    sql`with seconds as (
          select ${anyKey(keys)} as key, s.key::int as sec, sum(s.value::int) as n
          from (${keyed(keys, where)}) d, jsonb_each_text(d.duration_seconds) s
          group by ${groupingSets(keys, sql`s.key`)}
        ), running as (
          select key, sec, sum(n) over (partition by key order by sec) as below,
                 sum(n) over (partition by key) as count
          from seconds
        )
        select key, max(count)::int as count, (min(sec) filter (where below >= 0.95 * count) * 1000)::int as p95_ms
        from running group by key`,
  );
  return new Map(rows.map((r) => [r.key, r]));
}

/**
 * A tenant's KPIs for a period (days in its time zone): totals, a daily series (every day, zeros
 * included), and the previous period of the same length, all from the `daily_kpis` rollups (never
 * from the calls: a 30-day period of a tenant with millions of calls reads about a hundred rows).
 */
export async function getTenantKpis(deps: Pick<Deps, 'db' | 'now'>, tenantId: string, query: KpiQuery) {
  return readAsTenant(deps.db, tenantId, async (tx) => {
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
    const keys = [
      sql`case when d.day >= ${from}::date then 'current' else 'previous' end`,
      sql`to_char(d.day, 'YYYY-MM-DD')`,
    ];
    const outcomes = await outcomesBy(tx, keys, inRange);
    const durations = await durationsBy(tx, keys, inRange);
    const sumBy = new Map(sums.rows.map((r) => [r.key, r]));
    const at = (key: string) => kpisFrom(sumBy.get(key), durations.get(key), outcomes.get(key) ?? {});
    return {
      tenantId,
      timezone: tz,
      agentId: query.agentId ?? null,
      from,
      to,
      totals: at('current'),
      series: Array.from({ length }, (_, i) => {
        const day = addDays(from, i);
        return { day, ...at(day) };
      }),
      previous: { ...previous, totals: at('previous') },
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
    const inPeriod = sql`d.day between ${from}::date and ${to}::date`;
    const durationBy = await durationsBy(tx, [sql`d.tenant_id`], inPeriod);
    const outcomes = await outcomesBy(tx, [sql`d.tenant_id`], inPeriod);
    const sumBy = new Map(sums.rows.map((r) => [r.key, r]));
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
