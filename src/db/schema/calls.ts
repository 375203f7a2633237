import {
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
} from 'drizzle-orm/pg-core';
import { createdAt, tenantId, timestamptz } from './columns.js';
import { agents, agentVersions, phoneNumbers, tools } from './control.js';
import { tenants } from './identity.js';

const tenantRef = () => tenantId().references(() => tenants.id, { onDelete: 'cascade' });
const callRef = () =>
  text('call_id')
    .notNull()
    .references(() => calls.id, { onDelete: 'cascade' });

export const calls = pgTable(
  'calls',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    agentId: text('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    agentVersionId: text('agent_version_id').references(() => agentVersions.id, { onDelete: 'set null' }),
    phoneNumberId: text('phone_number_id').references(() => phoneNumbers.id, { onDelete: 'set null' }),
    twilioCallSid: text('twilio_call_sid').unique(),
    fromNumber: text('from_number'),
    toNumber: text('to_number'),
    transport: text('transport', { enum: ['twilio_media_streams', 'livekit', 'sandbox'] }),
    status: text('status', { enum: ['ringing', 'in_progress', 'completed', 'failed', 'rejected'] })
      .notNull()
      .default('ringing'),
    telephonyStatus: text('telephony_status'),
    /** SequenceNumber of the last Twilio status callback applied; older and replayed ones are ignored. */
    statusCallbackSequence: integer('status_callback_sequence'),
    endReason: text('end_reason'),
    legalHold: boolean('legal_hold').notNull().default(false),
    workerId: text('worker_id'),
    heartbeatAt: timestamptz('heartbeat_at'),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    answeredAt: timestamptz('answered_at'),
    endedAt: timestamptz('ended_at'),
    durationMs: integer('duration_ms'),
    createdAt: createdAt(),
  },
  (t) => [
    index('calls_tenant_started_idx').on(t.tenantId, t.startedAt),
    index('calls_status_idx').on(t.status),
  ],
);

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
    createdAt: createdAt(),
  },
  (t) => [
    index('utterances_call_idx').on(t.callId, t.seq),
    index('utterances_tenant_created_idx').on(t.tenantId, t.createdAt),
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
  ],
);

export const toolExecutions = pgTable(
  'tool_executions',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    toolId: text('tool_id').references(() => tools.id, { onDelete: 'set null' }),
    toolName: text('tool_name').notNull(),
    callId: text('call_id').references(() => calls.id, { onDelete: 'cascade' }),
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
  ],
);

export const toolExecutionAttempts = pgTable(
  'tool_execution_attempts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: tenantRef(),
    executionId: text('execution_id')
      .notNull()
      .references(() => toolExecutions.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    statusCode: integer('status_code'),
    outcome: text('outcome').notNull(),
    errorClass: text('error_class'),
    durationMs: integer('duration_ms').notNull(),
    request: jsonb('request'),
    response: jsonb('response'),
    startedAt: timestamptz('started_at').notNull(),
  },
  (t) => [index('tool_execution_attempts_execution_idx').on(t.executionId, t.attempt)],
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
  (t) => [index('call_costs_call_idx').on(t.callId)],
);

export const dailyKpis = pgTable(
  'daily_kpis',
  {
    tenantId: tenantRef(),
    agentId: text('agent_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    calls: integer('calls').notNull().default(0),
    completedCalls: integer('completed_calls').notNull().default(0),
    failedCalls: integer('failed_calls').notNull().default(0),
    totalDurationMs: bigint('total_duration_ms', { mode: 'number' }).notNull().default(0),
    toolCalls: integer('tool_calls').notNull().default(0),
    toolFailures: integer('tool_failures').notNull().default(0),
    avgTurnLatencyMs: integer('avg_turn_latency_ms'),
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
    createdAt: createdAt(),
  },
  (t) => [index('deletion_audit_tenant_created_idx').on(t.tenantId, t.createdAt)],
);
