import { boolean, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { calls } from './calls.js';
import { sameTenantReference, timestamptz } from './columns.js';
import { tenantRef, tenants } from './identity.js';

/** One retention cleanup run (or dry run): what it examined, cleaned and skipped. */
export const retentionRuns = pgTable(
  'retention_runs',
  {
    id: text('id').primaryKey(),
    /** The one tenant the run was limited to, or null for all tenants. */
    tenantId: text('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    dryRun: boolean('dry_run').notNull(),
    trigger: text('trigger', { enum: ['schedule', 'cli', 'api'] }).notNull(),
    actorId: text('actor_id'),
    asOf: timestamptz('as_of').notNull(),
    status: text('status', { enum: ['running', 'succeeded', 'failed'] })
      .notNull()
      .default('running'),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
    callsExamined: integer('calls_examined').notNull().default(0),
    callsCleaned: integer('calls_cleaned').notNull().default(0),
    skippedHold: integer('skipped_hold').notNull().default(0),
    errors: integer('errors').notNull().default(0),
    errorMessage: text('error_message'),
  },
  (t) => [index('retention_runs_started_idx').on(t.startedAt)],
);

/** A call whose content deletion has begun (blob keys planned); finished by this run or the next. */
export const retentionPending = pgTable(
  'retention_pending',
  {
    callId: text('call_id').primaryKey(),
    tenantId: tenantRef(),
    runId: text('run_id').notNull(),
    policyDays: integer('policy_days').notNull(),
    blobKeys: jsonb('blob_keys').$type<string[]>().notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [sameTenantReference('retention_pending_call_tenant_fk', t, t.callId, calls, 'cascade')],
);
