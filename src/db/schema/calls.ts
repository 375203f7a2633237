import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, sameTenantReference, tenantScopedKey, timestamptz } from './columns.js';
import { agents, agentVersions, phoneNumbers, tools } from './control.js';
import { tenantRef } from './identity.js';

/**
 * Why a call ended: a closed set. Completions, refusals at admission, and failures. `calls.end_reason`
 * holds one of these (null while the call runs); analytics and the telephony answer read it.
 */
export const CALL_END_REASONS = [
  // completed
  'caller_hangup',
  'agent_hangup',
  'silence_timeout',
  'max_duration',
  // refused at admission (status rejected)
  'unknown_number',
  'tenant_suspended',
  'no_agent',
  'no_published_version',
  'over_concurrent_limit',
  'worker_busy',
  // failed
  'engine_error',
  'llm_error',
  'stt_error',
  'tts_error',
  'transport_lost',
  'session_closed',
  'worker_shutdown',
  'worker_lost',
  'no_media',
  'not_claimable',
] as const;
export type CallEndReason = (typeof CALL_END_REASONS)[number];

const callRef = () => text('call_id').notNull();
/** A child's reference to its call; the child goes with it. */
const callForeignKey = (name: string, t: { tenantId: AnyPgColumn; callId: AnyPgColumn }) =>
  sameTenantReference(name, t, t.callId, calls, 'cascade');

/** Where a call is in its life; the API's enums are these. */
export const CALL_STATUSES = ['ringing', 'in_progress', 'completed', 'failed', 'rejected'] as const;
/** How the call's media reached the engine. */
export const CALL_TRANSPORTS = ['twilio_media_streams', 'livekit', 'sandbox'] as const;

export const calls = pgTable(
  'calls',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    agentId: text('agent_id'),
    agentVersionId: text('agent_version_id'),
    phoneNumberId: text('phone_number_id'),
    twilioCallSid: text('twilio_call_sid').unique(),
    fromNumber: text('from_number'),
    toNumber: text('to_number'),
    transport: text('transport', { enum: CALL_TRANSPORTS }),
    status: text('status', { enum: CALL_STATUSES }).notNull().default('ringing'),
    telephonyStatus: text('telephony_status'),
    /** SequenceNumber of the last Twilio status callback applied; older and replayed ones are ignored. */
    statusCallbackSequence: integer('status_callback_sequence'),
    endReason: text('end_reason', { enum: CALL_END_REASONS }),
    /** Outcome label the agent reported through its `set_outcome` tool (one of its version's labels). */
    outcome: text('outcome'),
    legalHold: boolean('legal_hold').notNull().default(false),
    /** When retention deleted the call's content (utterances, recording, detailed events). */
    contentDeletedAt: timestamptz('content_deleted_at'),
    workerId: text('worker_id'),
    heartbeatAt: timestamptz('heartbeat_at'),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    answeredAt: timestamptz('answered_at'),
    endedAt: timestamptz('ended_at'),
    durationMs: integer('duration_ms'),
    createdAt: createdAt(),
    // Legal hold (migration 0005_retention).
    legalHoldReason: text('legal_hold_reason'),
    legalHoldAt: timestamptz('legal_hold_at'),
    legalHoldBy: text('legal_hold_by'),
  },
  (t) => [
    index('calls_status_idx').on(t.status),
    tenantScopedKey('calls', t),
    sameTenantReference('calls_agent_tenant_fk', t, t.agentId, agents, 'set null'),
    sameTenantReference('calls_agent_version_tenant_fk', t, t.agentVersionId, agentVersions, 'set null'),
    sameTenantReference('calls_phone_number_tenant_fk', t, t.phoneNumberId, phoneNumbers, 'set null'),
    index('calls_retention_idx')
      .on(t.tenantId, sql`coalesce(${t.endedAt}, ${t.startedAt})`, t.id)
      .where(sql`${t.contentDeletedAt} is null`),
    index('calls_tenant_started_id_idx').on(t.tenantId, t.startedAt.desc(), t.id.desc()),
    index('calls_started_id_idx').on(t.startedAt.desc(), t.id.desc()),
    index('calls_tenant_agent_started_idx').on(t.tenantId, t.agentId, t.startedAt.desc(), t.id.desc()),
    index('calls_tenant_from_started_idx').on(t.tenantId, t.fromNumber, t.startedAt.desc(), t.id.desc()),
    index('calls_tenant_legal_hold_idx')
      .on(t.tenantId, t.startedAt.desc(), t.id.desc())
      .where(sql`${t.legalHold}`),
  ],
);

/** A PostgreSQL full-text document. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const callEvents = pgTable(
  'call_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: tenantRef(),
    callId: callRef(),
    type: text('type').notNull(),
    at: timestamptz('at').notNull().defaultNow(),
    data: jsonb('data').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('call_events_call_idx').on(t.callId, t.id),
    index('call_events_tenant_at_idx').on(t.tenantId, t.at),
    callForeignKey('call_events_call_tenant_fk', t),
  ],
);

export const utterances = pgTable(
  'utterances',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: tenantRef(),
    callId: callRef(),
    seq: integer('seq').notNull(),
    speaker: text('speaker', { enum: ['caller', 'agent'] }).notNull(),
    text: text('text').notNull(),
    startMs: integer('start_ms').notNull(),
    endMs: integer('end_ms').notNull(),
    interrupted: boolean('interrupted').notNull().default(false),
    metrics: jsonb('metrics').$type<Record<string, unknown>>(),
    // When each stage of an agent turn answering the caller happened, ms since answered (0010).
    callerAudioEndMs: integer('caller_audio_end_ms'),
    sttFinalMs: integer('stt_final_ms'),
    llmFirstTokenMs: integer('llm_first_token_ms'),
    ttsFirstAudioMs: integer('tts_first_audio_ms'),
    agentAudioStartMs: integer('agent_audio_start_ms'),
    createdAt: createdAt(),
    // Transcript search (0007_call_list): maintained by PostgreSQL, gone with the utterance.
    searchTsv: tsvector('search_tsv').generatedAlwaysAs(sql`to_tsvector('english', text)`),
  },
  (t) => [
    index('utterances_call_idx').on(t.callId, t.seq),
    index('utterances_tenant_created_idx').on(t.tenantId, t.createdAt),
    callForeignKey('utterances_call_tenant_fk', t),
    index('utterances_search_idx').using('gin', t.searchTsv),
  ],
);

export const recordings = pgTable(
  'recordings',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    callId: callRef(),
    storageKey: text('storage_key').notNull(),
    contentType: text('content_type').notNull(),
    channels: integer('channels').notNull(),
    sampleRate: integer('sample_rate').notNull(),
    durationMs: integer('duration_ms').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('recordings_call_idx').on(t.callId),
    index('recordings_tenant_created_idx').on(t.tenantId, t.createdAt),
    callForeignKey('recordings_call_tenant_fk', t),
  ],
);

export const toolExecutions = pgTable(
  'tool_executions',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    toolId: text('tool_id'),
    toolName: text('tool_name').notNull(),
    callId: text('call_id'),
    turn: integer('turn'),
    status: text('status', {
      enum: ['pending', 'running', 'succeeded', 'failed', 'timed_out', 'rejected', 'circuit_open'],
    }).notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    arguments: jsonb('arguments'),
    result: jsonb('result'),
    error: jsonb('error').$type<Record<string, unknown>>(),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
    durationMs: integer('duration_ms'),
  },
  (t) => [
    index('tool_executions_tenant_started_idx').on(t.tenantId, t.startedAt),
    index('tool_executions_call_idx').on(t.callId),
    tenantScopedKey('tool_executions', t),
    sameTenantReference('tool_executions_tool_tenant_fk', t, t.toolId, tools, 'set null'),
    callForeignKey('tool_executions_call_tenant_fk', t),
  ],
);

export const toolExecutionAttempts = pgTable(
  'tool_execution_attempts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: tenantRef(),
    executionId: text('execution_id').notNull(),
    attempt: integer('attempt').notNull(),
    statusCode: integer('status_code'),
    outcome: text('outcome').notNull(),
    errorClass: text('error_class'),
    durationMs: integer('duration_ms').notNull(),
    request: jsonb('request'),
    response: jsonb('response'),
    startedAt: timestamptz('started_at').notNull(),
  },
  (t) => [
    index('tool_execution_attempts_execution_idx').on(t.executionId, t.attempt),
    sameTenantReference(
      'tool_execution_attempts_execution_tenant_fk',
      t,
      t.executionId,
      toolExecutions,
      'cascade',
    ),
  ],
);

export const callCosts = pgTable(
  'call_costs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: tenantRef(),
    callId: callRef(),
    provider: text('provider').notNull(),
    metric: text('metric').notNull(),
    quantity: numeric('quantity', { precision: 18, scale: 6 }).notNull(),
    unitPriceUsd: numeric('unit_price_usd', { precision: 18, scale: 8 }).notNull(),
    amountUsd: numeric('amount_usd', { precision: 18, scale: 6 }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('call_costs_call_idx').on(t.callId), callForeignKey('call_costs_call_tenant_fk', t)],
);

/**
 * Per-call metrics, computed from the call's turns, tool executions and costs when it ends, and kept
 * when retention deletes that content (KPIs are rolled up from here and from `calls`).
 */
export const callMetrics = pgTable(
  'call_metrics',
  {
    callId: text('call_id').primaryKey(),
    tenantId: tenantRef(),
    callerTalkMs: integer('caller_talk_ms').notNull().default(0),
    agentTalkMs: integer('agent_talk_ms').notNull().default(0),
    callerTurns: integer('caller_turns').notNull().default(0),
    agentTurns: integer('agent_turns').notNull().default(0),
    interruptions: integer('interruptions').notNull().default(0),
    turnLatencyCount: integer('turn_latency_count').notNull().default(0),
    turnLatencySumMs: bigint('turn_latency_sum_ms', { mode: 'number' }).notNull().default(0),
    turnLatencyP50Ms: integer('turn_latency_p50_ms'),
    turnLatencyP95Ms: integer('turn_latency_p95_ms'),
    /** Tool executions by status, e.g. `{ "succeeded": 2, "failed": 1 }`. */
    toolExecutions: jsonb('tool_executions').$type<Record<string, number>>().notNull().default({}),
    toolCalls: integer('tool_calls').notNull().default(0),
    toolSuccesses: integer('tool_successes').notNull().default(0),
    costUsd: numeric('cost_usd', { precision: 18, scale: 6 }).notNull().default('0'),
    computedAt: timestamptz('computed_at').notNull().defaultNow(),
  },
  (t) => [callForeignKey('call_metrics_call_tenant_fk', t)],
);

/**
 * One row per tenant × agent × day (in the tenant's time zone), recomputed from `calls` and
 * `call_metrics` (never incremented), so a replayed call end cannot count twice. `agent_id` is ''
 * for calls refused before an agent was known.
 */
export const dailyKpis = pgTable(
  'daily_kpis',
  {
    tenantId: tenantRef(),
    agentId: text('agent_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    calls: integer('calls').notNull().default(0),
    answeredCalls: integer('answered_calls').notNull().default(0),
    completedCalls: integer('completed_calls').notNull().default(0),
    failedCalls: integer('failed_calls').notNull().default(0),
    containedCalls: integer('contained_calls').notNull().default(0),
    totalDurationMs: bigint('total_duration_ms', { mode: 'number' }).notNull().default(0),
    avgDurationMs: integer('avg_duration_ms'),
    p95DurationMs: integer('p95_duration_ms'),
    /** Calls per whole second of duration (`{"42": 3}`): a period's p95 is read from these. */
    durationSeconds: jsonb('duration_seconds').$type<Record<string, number>>().notNull().default({}),
    toolCalls: integer('tool_calls').notNull().default(0),
    toolSuccesses: integer('tool_successes').notNull().default(0),
    toolFailures: integer('tool_failures').notNull().default(0),
    turnLatencyCount: integer('turn_latency_count').notNull().default(0),
    turnLatencySumMs: bigint('turn_latency_sum_ms', { mode: 'number' }).notNull().default(0),
    avgTurnLatencyMs: integer('avg_turn_latency_ms'),
    /** Calls the post-call analysis judged, and those it judged a success. */
    analysedCalls: integer('analysed_calls').notNull().default(0),
    successfulCalls: integer('successful_calls').notNull().default(0),
    /** Calls per agent-reported outcome label. */
    outcomes: jsonb('outcomes').$type<Record<string, number>>().notNull().default({}),
    costUsd: numeric('cost_usd', { precision: 18, scale: 6 }).notNull().default('0'),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.agentId, t.day] })],
);

export const deletionAudit = pgTable(
  'deletion_audit',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    callId: text('call_id').notNull(),
    runId: text('run_id').notNull(),
    dryRun: boolean('dry_run').notNull(),
    deleted: jsonb('deleted').$type<Record<string, number>>().notNull(),
    policyDays: integer('policy_days'),
    createdAt: createdAt(),
  },
  (t) => [
    index('deletion_audit_tenant_created_idx').on(t.tenantId, t.createdAt),
    uniqueIndex('deletion_audit_run_call_key').on(t.runId, t.callId),
  ],
);
