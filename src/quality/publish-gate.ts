import { and, desc, eq, isNull } from 'drizzle-orm';
import { recordAudit } from '../audit/index.js';
import { type Tx, tables } from '../db/index.js';
import type { Actor } from '../lib/actor.js';
import { AppError } from '../lib/errors.js';
import { contentHash, suiteHash } from './config-hash.js';

export interface PublishGateInput {
  /** Publish even though the suite has not passed on this configuration (internal_admin only). */
  override?: { reason: string };
  /** Whether the actor may override: the route sets it for an internal_admin. */
  mayOverride?: boolean;
}

export interface PublishGateDecision {
  testRunId: string | null;
  override: { reason: string; by: string | null; runId: string | null } | null;
}

/**
 * The publish gate: an agent with a test suite publishes a configuration only after a passing run
 * on exactly that configuration and that suite. Refusals name the failing cases of the latest run
 * on it (AGENT_TESTS_FAILED) or say that none ran (AGENT_TESTS_REQUIRED). An internal_admin may
 * publish anyway with a reason, audited in the same transaction as the version.
 */
export async function checkPublishGate(
  tx: Tx,
  actor: Actor,
  tenantId: string,
  agentId: string,
  config: unknown,
  input: PublishGateInput,
): Promise<PublishGateDecision> {
  const c = tables.agentTestCases;
  const cases = await tx
    .select({ id: c.id, revision: c.revision, name: c.name })
    .from(c)
    .where(and(eq(c.tenantId, tenantId), eq(c.agentId, agentId), isNull(c.deletedAt)));
  if (cases.length === 0) return { testRunId: null, override: null };

  const r = tables.agentTestRuns;
  const runs = await tx
    .select({ id: r.id, status: r.status })
    .from(r)
    .where(
      and(
        eq(r.tenantId, tenantId),
        eq(r.agentId, agentId),
        eq(r.configHash, contentHash(config)),
        eq(r.suiteHash, suiteHash(cases)),
      ),
    )
    .orderBy(desc(r.createdAt), desc(r.id));
  const passed = runs.find((run) => run.status === 'passed');
  if (passed) return { testRunId: passed.id, override: null };

  const latest = runs.find((run) => run.status === 'failed' || run.status === 'error');
  const resultsOf = (runId: string, status: 'failed' | 'error') => {
    const results = tables.agentTestResults;
    return tx
      .select({ caseId: results.caseId, name: results.caseName, reasons: results.reasons })
      .from(results)
      .where(and(eq(results.runId, runId), eq(results.status, status)));
  };
  // Failed cases first, then the ones that could not run.
  const bad = latest
    ? [...(await resultsOf(latest.id, 'failed')), ...(await resultsOf(latest.id, 'error'))]
    : [];

  if (input.override) {
    if (!input.mayOverride) {
      throw new AppError('FORBIDDEN', 'only an internal_admin may publish past the test suite');
    }
    await recordAudit(tx, actor, {
      tenantId,
      action: 'agent.publish_override',
      targetType: 'agent',
      targetId: agentId,
      summary: {
        reason: input.override.reason,
        runId: latest?.id ?? null,
        failingCases: bad.map((b) => b.name),
      },
    });
    return {
      testRunId: null,
      override: { reason: input.override.reason, by: actor.id, runId: latest?.id ?? null },
    };
  }
  if (!latest) {
    throw new AppError(
      'AGENT_TESTS_REQUIRED',
      'the agent has a test suite: run it on this draft and publish once it passes',
      { cases: cases.map((x) => x.name) },
    );
  }
  const names = bad.map((b) => `"${b.name}"`).join(', ');
  throw new AppError(
    'AGENT_TESTS_FAILED',
    `the test suite failed on this draft: ${names || 'the run did not finish'}`,
    { runId: latest.id, failingCases: bad },
  );
}
