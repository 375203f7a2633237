import { boolean, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { calls } from './calls.js';
import { createdAt, sameTenantReference, timestamptz, updatedAt } from './columns.js';
import { tenantRef } from './identity.js';

export const ANALYSIS_STATUSES = ['pending', 'running', 'done', 'failed', 'skipped'] as const;
export type AnalysisStatus = (typeof ANALYSIS_STATUSES)[number];

/**
 * A call's post-call analysis: queued when the call ends, claimed by the analysis worker, then its
 * summary, extracted fields and success verdict.
 */
export const callAnalyses = pgTable(
  'call_analyses',
  {
    callId: text('call_id').primaryKey(),
    tenantId: tenantRef(),
    status: text('status', { enum: ANALYSIS_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamptz('next_attempt_at').notNull().defaultNow(),
    summary: text('summary'),
    data: jsonb('data').$type<Record<string, unknown>>(),
    success: boolean('success'),
    successReason: text('success_reason'),
    error: text('error'),
    model: text('model'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('call_analyses_tenant_idx').on(t.tenantId, t.success),
    sameTenantReference('call_analyses_call_tenant_fk', t, t.callId, calls, 'cascade'),
  ],
);
