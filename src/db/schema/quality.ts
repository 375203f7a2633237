import { boolean, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt, sameTenantReference, tenantScopedKey, timestamptz, updatedAt } from './columns.js';
import { agents, agentVersions } from './control.js';
import { tenantRef } from './identity.js';

/** One test case of an agent's suite (stored per agent, not per version); `revision` counts its edits. */
export const agentTestCases = pgTable(
  'agent_test_cases',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    agentId: text('agent_id').notNull(),
    name: text('name').notNull(),
    revision: integer('revision').notNull().default(1),
    /** The caller script, the sandbox LLM's behaviour and the tool stubs (see src/quality/test-case.ts). */
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
    expect: jsonb('expect').$type<Record<string, unknown>>().notNull(),
    /** The finished call the case was made from, if any. */
    sourceCallId: text('source_call_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: timestamptz('deleted_at'),
  },
  (t) => [
    tenantScopedKey('agent_test_cases', t),
    index('agent_test_cases_agent_idx').on(t.tenantId, t.agentId, t.createdAt),
    sameTenantReference('agent_test_cases_agent_tenant_fk', t, t.agentId, agents, 'cascade'),
  ],
);

/** Every revision of a case as it was written (the case's history). */
export const agentTestCaseRevisions = pgTable(
  'agent_test_case_revisions',
  {
    caseId: text('case_id').notNull(),
    tenantId: tenantRef(),
    revision: integer('revision').notNull(),
    name: text('name').notNull(),
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
    expect: jsonb('expect').$type<Record<string, unknown>>().notNull(),
    deleted: boolean('deleted').notNull().default(false),
    actorId: text('actor_id'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.revision] }),
    sameTenantReference('agent_test_case_revisions_case_tenant_fk', t, t.caseId, agentTestCases, 'cascade'),
  ],
);

export const TEST_RUN_STATUSES = ['queued', 'running', 'passed', 'failed', 'error'] as const;

/** One run of an agent's suite against a version or the draft: a job with progress. */
export const agentTestRuns = pgTable(
  'agent_test_runs',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    agentId: text('agent_id').notNull(),
    /** The version run against; null for the draft. */
    agentVersionId: text('agent_version_id'),
    version: integer('version'),
    /** sha256 of the exact configuration the calls ran with (what the publish gate compares). */
    configHash: text('config_hash').notNull(),
    /** sha256 of the cases (ids and revisions) the run covered. */
    suiteHash: text('suite_hash').notNull(),
    status: text('status', { enum: TEST_RUN_STATUSES }).notNull().default('queued'),
    total: integer('total').notNull().default(0),
    completed: integer('completed').notNull().default(0),
    passed: integer('passed').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    errorMessage: text('error_message'),
    startedBy: text('started_by'),
    createdAt: createdAt(),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [
    tenantScopedKey('agent_test_runs', t),
    index('agent_test_runs_agent_idx').on(t.tenantId, t.agentId, t.createdAt),
    index('agent_test_runs_config_idx').on(t.tenantId, t.agentId, t.configHash),
    sameTenantReference('agent_test_runs_agent_tenant_fk', t, t.agentId, agents, 'cascade'),
    sameTenantReference('agent_test_runs_version_tenant_fk', t, t.agentVersionId, agentVersions, 'cascade'),
  ],
);

/** The outcome of one case in one run. */
export const agentTestResults = pgTable(
  'agent_test_results',
  {
    id: text('id').primaryKey(),
    tenantId: tenantRef(),
    runId: text('run_id').notNull(),
    caseId: text('case_id').notNull(),
    caseName: text('case_name').notNull(),
    caseRevision: integer('case_revision').notNull(),
    status: text('status', { enum: ['passed', 'failed', 'error'] }).notNull(),
    reasons: jsonb('reasons').$type<string[]>().notNull(),
    transcript: jsonb('transcript').$type<unknown[]>().notNull(),
    toolTrace: jsonb('tool_trace').$type<unknown[]>().notNull(),
    latency: jsonb('latency').$type<Record<string, unknown>>().notNull(),
    callId: text('call_id'),
    durationMs: integer('duration_ms').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('agent_test_results_run_idx').on(t.runId, t.createdAt),
    sameTenantReference('agent_test_results_run_tenant_fk', t, t.runId, agentTestRuns, 'cascade'),
  ],
);
