import { eq, sql } from 'drizzle-orm';
import { type CallEndReason, rawQuery, type Tx, tables, withAllTenants, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { newId } from '../lib/ids.js';
import { type MetricsInput, metricsFrom } from './call-metrics.js';
import { refreshDailyKpis } from './daily-kpis.js';

export interface SeedCallsOptions {
  tenantId: string;
  calls: number;
  /** Calls written per transaction (each table one multi-row insert per batch). */
  batchSize?: number;
  /** Calls are spread over the `days` before this time. */
  until?: Date;
  days?: number;
  /** Deterministic data for a given seed. */
  seed?: number;
  /** Rebuild the tenant's daily KPIs over the span at the end (default); off for a partial load. */
  refreshKpis?: boolean;
  onProgress?: (written: number, total: number) => void;
}

export interface SeedCallsResult {
  calls: number;
  utterances: number;
  toolExecutions: number;
  attempts: number;
  costs: number;
}

const DAY_MS = 86_400_000;

/** A small, fast, seedable PRNG (mulberry32): synthetic data must not depend on crypto speed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CALLER_LINES = [
  'Hi, I would like to book an appointment for next week',
  'Can I reschedule my cleaning to Thursday afternoon',
  'My kitchen sink is leaking and I need a plumber today',
  'What are your opening hours on Saturday',
  'I need to cancel my appointment tomorrow morning',
  'Do you accept my insurance plan',
  'How much does a water heater replacement cost',
  'Is there anything available this Friday at ten',
  'I have a toothache and it is getting worse',
  'Can someone call me back about my invoice',
  'Yes that time works for me, thank you',
  'No, I think that is everything, goodbye',
];
const AGENT_LINES = [
  'Thanks for calling, how can I help you today?',
  'I can help with that. Which day suits you best?',
  'Let me check the calendar for you.',
  'I have booked you in, you will get a confirmation by text.',
  'We are open from eight to five on weekdays and nine to one on Saturday.',
  'I am sorry to hear that. We have an emergency slot this afternoon.',
  'Your appointment has been cancelled. Is there anything else?',
  'I will pass your message on and someone will call you back.',
  'Could you confirm your name and date of birth please?',
  'Have a great day, goodbye.',
];
const END_REASONS: ReadonlyArray<[reason: CallEndReason, status: 'completed' | 'failed', weight: number]> = [
  ['caller_hangup', 'completed', 60],
  ['agent_hangup', 'completed', 28],
  ['silence_timeout', 'completed', 4],
  ['max_duration', 'completed', 1],
  ['engine_error', 'failed', 4],
  ['transport_lost', 'failed', 3],
];
const OUTCOMES = ['appointment_booked', 'appointment_cancelled', 'question_answered', 'callback_requested'];
const TOOL_STATUSES: ReadonlyArray<[status: string, weight: number]> = [
  ['succeeded', 85],
  ['failed', 7],
  ['timed_out', 5],
  ['rejected', 3],
];

function weighted<T extends readonly [unknown, ...unknown[]]>(
  rand: () => number,
  options: ReadonlyArray<T>,
  weightOf: (o: T) => number,
): T {
  const total = options.reduce((sum, o) => sum + weightOf(o), 0);
  let roll = rand() * total;
  for (const o of options) {
    roll -= weightOf(o);
    if (roll < 0) return o;
  }
  return options[options.length - 1]!;
}

/** Column arrays of one batch: every table is written with one `insert … select from unnest(…)`. */
class Columns<K extends string> {
  readonly data: Record<K, unknown[]>;
  constructor(readonly names: readonly K[]) {
    this.data = Object.fromEntries(names.map((n) => [n, []])) as unknown as Record<K, unknown[]>;
  }
  push(row: Record<K, unknown>): void {
    for (const n of this.names) this.data[n].push(row[n]);
  }
  get length(): number {
    return this.data[this.names[0]!].length;
  }
}

/**
 * Writes `calls` realistic synthetic calls into one tenant (transcripts, tool executions with their
 * attempts, costs, a few on legal hold), spread over the last `days`, with batched multi-row inserts,
 * each with its per-call metrics; the tenant's daily KPIs over the span are rebuilt at the end.
 * Calls use the tenant's agents (and their live versions) when it has any.
 */
export async function seedCalls(deps: Pick<Deps, 'db'>, options: SeedCallsOptions): Promise<SeedCallsResult> {
  const { tenantId, calls: total } = options;
  const batchSize = options.batchSize ?? 2000;
  const until = (options.until ?? new Date()).getTime();
  const spanMs = (options.days ?? 90) * DAY_MS;
  const rand = prng(options.seed ?? 12);
  const result: SeedCallsResult = { calls: 0, utterances: 0, toolExecutions: 0, attempts: 0, costs: 0 };

  const { agents, tools, numbers } = await withTenant(deps.db, tenantId, async (tx) => ({
    agents: await tx
      .select({ id: tables.agents.id, versionId: tables.agents.liveVersionId })
      .from(tables.agents)
      .where(eq(tables.agents.tenantId, tenantId)),
    tools: await tx
      .select({ id: tables.tools.id, name: tables.tools.name })
      .from(tables.tools)
      .where(eq(tables.tools.tenantId, tenantId)),
    numbers: await tx
      .select({ e164: tables.phoneNumbers.e164 })
      .from(tables.phoneNumbers)
      .where(eq(tables.phoneNumbers.tenantId, tenantId)),
  }));
  const toolChoices: Array<{ id: string | null; name: string }> =
    tools.length > 0 ? tools : [{ id: null, name: 'book_appointment' }];
  const toNumbers = numbers.length > 0 ? numbers.map((n) => n.e164) : ['+15005550006'];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

  // Newest first in time order of writing is irrelevant; start times are random within the span.
  for (let written = 0; written < total; ) {
    const n = Math.min(batchSize, total - written);
    const calls = new Columns([
      'id',
      'agent_id',
      'agent_version_id',
      'from_number',
      'to_number',
      'status',
      'end_reason',
      'outcome',
      'legal_hold',
      'started_at',
      'answered_at',
      'ended_at',
      'duration_ms',
    ] as const);
    const utterances = new Columns([
      'call_id',
      'seq',
      'speaker',
      'text',
      'start_ms',
      'end_ms',
      'interrupted',
      'metrics',
    ] as const);
    const executions = new Columns([
      'id',
      'tool_id',
      'tool_name',
      'call_id',
      'turn',
      'status',
      'idempotency_key',
      'arguments',
      'result',
      'error',
      'started_at',
      'finished_at',
      'duration_ms',
    ] as const);
    const attempts = new Columns([
      'execution_id',
      'attempt',
      'status_code',
      'outcome',
      'error_class',
      'duration_ms',
      'started_at',
    ] as const);
    const costs = new Columns([
      'call_id',
      'provider',
      'metric',
      'quantity',
      'unit_price_usd',
      'amount_usd',
    ] as const);
    const metrics = new Columns([
      'call_id',
      'caller_talk_ms',
      'agent_talk_ms',
      'caller_turns',
      'agent_turns',
      'interruptions',
      'turn_latency_count',
      'turn_latency_sum_ms',
      'turn_latency_p50_ms',
      'turn_latency_p95_ms',
      'tool_executions',
      'tool_calls',
      'tool_successes',
      'cost_usd',
    ] as const);

    for (let i = 0; i < n; i++) {
      const startedAt = Math.floor(until - rand() * spanMs);
      const id = newId('call', startedAt);
      const agent = agents.length > 0 ? pick(agents) : undefined;
      const [endReason, status] = weighted(rand, END_REASONS, (o) => o[2]);
      const turns = 2 + Math.floor(rand() * 9);
      let clock = 400 + Math.floor(rand() * 600);
      let agentChars = 0;
      let executed = false;
      const metricsInput: {
        turns: MetricsInput['turns'][number][];
        toolStatuses: string[];
        costsUsd: string[];
      } = { turns: [], toolStatuses: [], costsUsd: [] };
      for (let seq = 1; seq <= turns; seq++) {
        const speaker = seq % 2 === 1 ? 'agent' : 'caller';
        const text = speaker === 'agent' ? pick(AGENT_LINES) : pick(CALLER_LINES);
        const speakMs = 900 + text.length * 55 + Math.floor(rand() * 800);
        const latencyMs = 450 + Math.floor(rand() * 900);
        if (speaker === 'agent') agentChars += text.length;
        const turn = {
          speaker,
          startMs: clock,
          endMs: clock + speakMs,
          interrupted: speaker === 'agent' && rand() < 0.06,
          metrics:
            speaker === 'agent' && seq > 1
              ? {
                  latency: {
                    totalMs: latencyMs,
                    sttMs: Math.round(latencyMs * 0.2),
                    llmMs: Math.round(latencyMs * 0.5),
                    ttsMs: Math.round(latencyMs * 0.3),
                  },
                }
              : null,
        } as const;
        metricsInput.turns.push(turn);
        utterances.push({
          call_id: id,
          seq,
          speaker,
          text,
          start_ms: turn.startMs,
          end_ms: turn.endMs,
          interrupted: turn.interrupted,
          metrics: turn.metrics === null ? null : JSON.stringify(turn.metrics),
        });
        clock += speakMs + latencyMs;
        if (speaker === 'caller' && !executed && rand() < 0.35) {
          executed = true;
          const tool = pick(toolChoices);
          const [toolStatus] = weighted(rand, TOOL_STATUSES, (o) => o[1]);
          const tries =
            toolStatus === 'succeeded' ? (rand() < 0.1 ? 2 : 1) : toolStatus === 'rejected' ? 0 : 3;
          const executionId = newId('toolExecution', startedAt + clock);
          let attemptAt = startedAt + clock;
          let executionMs = 0;
          for (let attempt = 1; attempt <= tries; attempt++) {
            const last = attempt === tries;
            const ok = last && toolStatus === 'succeeded';
            const ms = toolStatus === 'timed_out' ? 8000 : 120 + Math.floor(rand() * 600);
            attempts.push({
              execution_id: executionId,
              attempt,
              status_code: toolStatus === 'timed_out' ? null : ok ? 200 : 503,
              outcome: ok ? 'succeeded' : toolStatus === 'timed_out' ? 'timed_out' : 'failed',
              error_class: ok ? null : toolStatus === 'timed_out' ? 'timeout' : 'http_5xx',
              duration_ms: ms,
              started_at: new Date(attemptAt).toISOString(),
            });
            attemptAt += ms + 250;
            executionMs += ms + (last ? 0 : 250);
          }
          metricsInput.toolStatuses.push(toolStatus);
          executions.push({
            id: executionId,
            tool_id: tool.id,
            tool_name: tool.name,
            call_id: id,
            turn: seq,
            status: toolStatus,
            idempotency_key: `${id}:${seq}`,
            arguments: JSON.stringify({ service: 'checkup', date: '2026-12-03', time: '10:00' }),
            result:
              toolStatus === 'succeeded' ? JSON.stringify({ booked: true, ref: `B-${1000 + seq}` }) : null,
            error:
              toolStatus === 'succeeded'
                ? null
                : JSON.stringify({
                    code: toolStatus === 'rejected' ? 'arguments_invalid' : toolStatus,
                    message: toolStatus,
                  }),
            started_at: new Date(startedAt + clock).toISOString(),
            finished_at: new Date(startedAt + clock + executionMs).toISOString(),
            duration_ms: executionMs,
          });
          clock += executionMs;
        }
      }
      const durationMs = clock + 300;
      const answeredAt = startedAt + 300 + Math.floor(rand() * 1200);
      calls.push({
        id,
        agent_id: agent?.id ?? null,
        agent_version_id: agent?.versionId ?? null,
        from_number: `+1555${String(Math.floor(rand() * 20_000)).padStart(7, '0')}`,
        to_number: pick(toNumbers),
        status,
        end_reason: endReason,
        outcome: status === 'completed' && rand() < 0.6 ? pick(OUTCOMES) : null,
        legal_hold: rand() < 0.003,
        started_at: new Date(startedAt).toISOString(),
        answered_at: new Date(answeredAt).toISOString(),
        ended_at: new Date(answeredAt + durationMs).toISOString(),
        duration_ms: durationMs,
      });
      const audioSeconds = durationMs / 1000;
      const inputTokens = 400 * turns + Math.floor(rand() * 800);
      for (const [provider, metric, quantity, unit] of [
        ['deepgram', 'audio_seconds', audioSeconds, 0.0077 / 60],
        ['openai', 'input_tokens', inputTokens, 0.4 / 1e6],
        ['openai', 'output_tokens', Math.round(agentChars / 3.5), 1.6 / 1e6],
        ['rime', 'characters', agentChars, 0.00004],
      ] as const) {
        const amount = (quantity * unit).toFixed(6);
        metricsInput.costsUsd.push(amount);
        costs.push({
          call_id: id,
          provider,
          metric,
          quantity: quantity.toFixed(6),
          unit_price_usd: unit.toFixed(8),
          amount_usd: amount,
        });
      }
      const m = metricsFrom(metricsInput);
      metrics.push({
        call_id: id,
        caller_talk_ms: m.callerTalkMs,
        agent_talk_ms: m.agentTalkMs,
        caller_turns: m.callerTurns,
        agent_turns: m.agentTurns,
        interruptions: m.interruptions,
        turn_latency_count: m.turnLatencyCount,
        turn_latency_sum_ms: m.turnLatencySumMs,
        turn_latency_p50_ms: m.turnLatencyP50Ms,
        turn_latency_p95_ms: m.turnLatencyP95Ms,
        tool_executions: JSON.stringify(m.toolExecutions),
        tool_calls: m.toolCalls,
        tool_successes: m.toolSuccesses,
        cost_usd: m.costUsd,
      });
    }

    await withTenant(deps.db, tenantId, async (tx) => {
      await insertColumns(tx, 'calls', tenantId, calls, {
        id: 'text',
        agent_id: 'text',
        agent_version_id: 'text',
        from_number: 'text',
        to_number: 'text',
        status: 'text',
        end_reason: 'text',
        outcome: 'text',
        legal_hold: 'boolean',
        started_at: 'timestamptz',
        answered_at: 'timestamptz',
        ended_at: 'timestamptz',
        duration_ms: 'integer',
      });
      await insertColumns(tx, 'utterances', tenantId, utterances, {
        call_id: 'text',
        seq: 'integer',
        speaker: 'text',
        text: 'text',
        start_ms: 'integer',
        end_ms: 'integer',
        interrupted: 'boolean',
        metrics: 'jsonb',
      });
      await insertColumns(tx, 'tool_executions', tenantId, executions, {
        id: 'text',
        tool_id: 'text',
        tool_name: 'text',
        call_id: 'text',
        turn: 'integer',
        status: 'text',
        idempotency_key: 'text',
        arguments: 'jsonb',
        result: 'jsonb',
        error: 'jsonb',
        started_at: 'timestamptz',
        finished_at: 'timestamptz',
        duration_ms: 'integer',
      });
      await insertColumns(tx, 'tool_execution_attempts', tenantId, attempts, {
        execution_id: 'text',
        attempt: 'integer',
        status_code: 'integer',
        outcome: 'text',
        error_class: 'text',
        duration_ms: 'integer',
        started_at: 'timestamptz',
      });
      await insertColumns(tx, 'call_costs', tenantId, costs, {
        call_id: 'text',
        provider: 'text',
        metric: 'text',
        quantity: 'numeric',
        unit_price_usd: 'numeric',
        amount_usd: 'numeric',
      });
      await insertColumns(tx, 'call_metrics', tenantId, metrics, {
        call_id: 'text',
        caller_talk_ms: 'integer',
        agent_talk_ms: 'integer',
        caller_turns: 'integer',
        agent_turns: 'integer',
        interruptions: 'integer',
        turn_latency_count: 'integer',
        turn_latency_sum_ms: 'integer',
        turn_latency_p50_ms: 'integer',
        turn_latency_p95_ms: 'integer',
        tool_executions: 'jsonb',
        tool_calls: 'integer',
        tool_successes: 'integer',
        cost_usd: 'numeric',
      });
    });
    written += n;
    result.calls += n;
    result.utterances += utterances.length;
    result.toolExecutions += executions.length;
    result.attempts += attempts.length;
    result.costs += costs.length;
    options.onProgress?.(written, total);
  }
  if (options.refreshKpis !== false) await refreshSeededKpis(deps, tenantId, until, options.days);
  return result;
}

/** Rebuilds a tenant's daily KPIs over the span `seedCalls` wrote (the `days` before `until`). */
export async function refreshSeededKpis(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  until: number,
  days = 90,
): Promise<void> {
  // Days in the tenant's time zone: a day either side of the span covers any offset.
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  await withTenant(deps.db, tenantId, (tx) =>
    refreshDailyKpis(tx, tenantId, day(until - days * DAY_MS - DAY_MS), day(until + DAY_MS)),
  );
}

type PgType = 'text' | 'integer' | 'boolean' | 'timestamptz' | 'jsonb' | 'numeric';

/**
 * `insert into <table> (tenant_id, …) select $tenant, … from unnest($1::text[], …)`: one statement
 * and one parameter per column whatever the row count. jsonb travels as text (arrays of jsonb do not
 * unnest from a text array parameter on every driver).
 */
async function insertColumns<K extends string>(
  tx: Tx,
  table: string,
  tenantId: string,
  rows: Columns<K>,
  types: Record<K, PgType>,
): Promise<void> {
  if (rows.length === 0) return;
  const names = rows.names;
  const arrays = names.map(
    (n) => sql`${sql.param(rows.data[n])}::${sql.raw(types[n] === 'jsonb' ? 'text' : types[n])}[]`,
  );
  const selected = names.map((n, i) => (types[n] === 'jsonb' ? sql.raw(`c${i}::jsonb`) : sql.raw(`c${i}`)));
  const aliases = sql.raw(names.map((_, i) => `c${i}`).join(', '));
  await rawQuery(
    tx,
    sql`insert into ${sql.raw(table)} (tenant_id, ${sql.raw(names.join(', '))})
        select ${tenantId}, ${sql.join(selected, sql`, `)}
        from unnest(${sql.join(arrays, sql`, `)}) as t(${aliases})`,
  );
}

/** The tenant to seed, by slug (the CLI names tenants the way people do). */
export async function findSeedTenant(
  deps: Pick<Deps, 'db' | 'crossTenantLog'>,
  slug: string,
): Promise<string | undefined> {
  const [row] = await withAllTenants(
    deps.db,
    { actor: 'cli', purpose: 'seed.calls' },
    deps.crossTenantLog,
    (tx) =>
      tx.select({ id: tables.tenants.id }).from(tables.tenants).where(eq(tables.tenants.slug, slug)).limit(1),
  );
  return row?.id;
}
