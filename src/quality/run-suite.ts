import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { getCallDetail } from '../analytics/index.js';
import {
  type AgentConfig,
  type AgentDraft,
  buildDraftConfig,
  getAgent,
  getAgentVersion,
} from '../control/agents/index.js';
import { listNumbers } from '../control/phone-numbers/index.js';
import { tables, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { Actor } from '../lib/actor.js';
import { AppError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { contentHash, suiteHash } from './config-hash.js';
import { evaluateCase, type ObservedTestCall } from './evaluate-case.js';
import { setTestCallTarget, type TestCallTarget } from './test-call-target.js';
import { caseScenario } from './test-case.js';
import { activeCases, toTestCase } from './test-cases.js';

/** Places one simulated call through the whole stack (the sandbox's call path, as `POST /api/sandbox/calls`). */
export interface TestCallPlacer {
  place(input: {
    to: string;
    /** A sandbox scenario document; the placer validates it. */
    scenario: Record<string, unknown>;
    speed: number;
    /** Runs once the CallSid is known, before the call is dialled. */
    beforeDial: (callSid: string) => Promise<void>;
  }): Promise<{
    callId: string | null;
    endReason: string | null;
    transcript: { speaker: string; text: string }[];
    /** The simulated caller's own failures (a step timed out) and unmet scenario expectations. */
    problems: string[];
  }>;
}

export type TestRunStatus = (typeof tables.TEST_RUN_STATUSES)[number];
type RunRow = typeof tables.agentTestRuns.$inferSelect;
type ResultRow = typeof tables.agentTestResults.$inferSelect;

export interface TestRun {
  id: string;
  agentId: string;
  /** The version run against; null for the draft. */
  version: number | null;
  agentVersionId: string | null;
  configHash: string;
  status: TestRunStatus;
  total: number;
  completed: number;
  passed: number;
  failed: number;
  errorMessage: string | null;
  startedBy: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface TestResult {
  caseId: string;
  caseName: string;
  caseRevision: number;
  status: 'passed' | 'failed' | 'error';
  reasons: string[];
  transcript: unknown[];
  toolTrace: unknown[];
  latency: Record<string, unknown>;
  callId: string | null;
  durationMs: number;
}

function toRun(row: RunRow): TestRun {
  const { tenantId: _t, suiteHash: _s, ...run } = row;
  return run;
}

function toResult(row: ResultRow): TestResult {
  return {
    caseId: row.caseId,
    caseName: row.caseName,
    caseRevision: row.caseRevision,
    status: row.status,
    reasons: row.reasons,
    transcript: row.transcript,
    toolTrace: row.toolTrace,
    latency: row.latency,
    callId: row.callId,
    durationMs: row.durationMs,
  };
}

export type RunTarget = { version: number } | 'draft';

export interface TestRunner {
  /** Creates the run (status running) and plays its cases in the background; answers at once. */
  start(actor: Actor, tenantId: string, agentId: string, target: RunTarget): Promise<TestRun>;
  /** Resolves when the run has finished (at once when it is not running here). */
  finished(runId: string): Promise<void>;
  /** Resolves once every run started so far has finished. */
  idle(): Promise<void>;
}

/**
 * A running run holds a lease in the ephemeral store, refreshed while its cases play. A run still
 * `running` without one was left by an instance that stopped (a crash, a kill): reading it marks it
 * `error` instead of leaving it running forever. Shared through Redis across instances.
 */
const RUN_LEASE_MS = 30_000;
const runLeaseKey = (runId: string) => `test-run-lease:${runId}`;
const INTERRUPTED = 'interrupted: the instance running it stopped before it finished';

/** Marks the given `running` rows whose lease is gone as interrupted; returns the rows as they now are. */
async function settleInterrupted(deps: Deps, tenantId: string, rows: RunRow[]): Promise<RunRow[]> {
  return Promise.all(
    rows.map(async (row) => {
      if (row.status !== 'running' || (await deps.store.get(runLeaseKey(row.id))) !== null) return row;
      const r = tables.agentTestRuns;
      const [settled] = await withTenant(deps.db, tenantId, (tx) =>
        tx
          .update(r)
          .set({ status: 'error', errorMessage: INTERRUPTED, finishedAt: deps.now() })
          .where(and(eq(r.id, row.id), eq(r.status, 'running')))
          .returning(),
      );
      return settled ?? row;
    }),
  );
}

/** Test calls play at twice real time, like the console's test calls (the caller's clock, not the engine's budgets). */
const DEFAULT_SPEED = 2;

export function createTestRunner(
  deps: Deps,
  placer: TestCallPlacer | undefined,
  options: { speed?: number } = {},
): TestRunner {
  const running = new Map<string, Promise<void>>();
  const speed = options.speed ?? DEFAULT_SPEED;
  const holdLease = (runId: string) =>
    deps.store.set(runLeaseKey(runId), '1', { ttlMs: RUN_LEASE_MS }).then(() => {});

  const execute = async (
    tenantId: string,
    run: RunRow,
    cases: (typeof tables.agentTestCases.$inferSelect)[],
    target: TestCallTarget,
    to: string,
  ) => {
    const log = deps.log.child({ component: 'agent-tests', runId: run.id });
    let allPassed = true;
    for (const row of cases) {
      await holdLease(run.id);
      const testCase = toTestCase(row);
      const started = Date.now();
      let result: Omit<TestResult, 'durationMs'>;
      try {
        const placed = await placer!.place({
          to,
          scenario: caseScenario(testCase, target.config),
          speed,
          beforeDial: (callSid) => setTestCallTarget(deps.store, callSid, target),
        });
        const detail = placed.callId
          ? await getCallDetail(deps, {
              tenantId,
              callId: placed.callId,
              view: 'internal',
              viewer: 'agent-tests',
            })
          : undefined;
        const transcript = detail
          ? detail.transcript.map((t) => ({
              speaker: t.speaker,
              text: t.text,
              startMs: t.startMs,
              endMs: t.endMs,
              latencyMs: t.latencyMs,
            }))
          : placed.transcript.map((t) => ({ speaker: t.speaker, text: t.text, latencyMs: null }));
        const toolTrace = (detail?.toolExecutions ?? []).map((t) => ({
          name: t.toolName,
          status: t.status,
          arguments: 'arguments' in t ? t.arguments : null,
          result: 'result' in t ? t.result : null,
          error: 'error' in t ? t.error : null,
          durationMs: t.durationMs,
        }));
        const observed: ObservedTestCall = {
          endReason: detail?.call.endReason ?? placed.endReason,
          outcome: detail?.call.outcome ?? null,
          transcript,
          tools: toolTrace,
          callerProblems: placed.problems,
        };
        const reasons = evaluateCase(testCase.expect, observed);
        const latencies = transcript
          .map((t) => t.latencyMs)
          .filter((ms): ms is number => typeof ms === 'number');
        result = {
          caseId: testCase.id,
          caseName: testCase.name,
          caseRevision: testCase.revision,
          status: reasons.length === 0 ? 'passed' : 'failed',
          reasons,
          transcript,
          toolTrace,
          latency: {
            turns: latencies,
            maxMs: latencies.length ? Math.max(...latencies) : null,
            meanMs: latencies.length
              ? Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length)
              : null,
          },
          callId: placed.callId,
        };
      } catch (err) {
        log.warn({ err, caseId: testCase.id }, 'test case could not run');
        result = {
          caseId: testCase.id,
          caseName: testCase.name,
          caseRevision: testCase.revision,
          status: 'error',
          reasons: [err instanceof Error ? err.message : String(err)],
          transcript: [],
          toolTrace: [],
          latency: {},
          callId: null,
        };
      }
      if (result.status !== 'passed') allPassed = false;
      await withTenant(deps.db, tenantId, async (tx) => {
        await tx.insert(tables.agentTestResults).values({
          id: newId('testResult'),
          tenantId,
          runId: run.id,
          ...result,
          durationMs: Date.now() - started,
        });
        const r = tables.agentTestRuns;
        await tx
          .update(r)
          .set({
            completed: sql`${r.completed} + 1`,
            passed: result.status === 'passed' ? sql`${r.passed} + 1` : r.passed,
            failed: result.status === 'passed' ? r.failed : sql`${r.failed} + 1`,
          })
          .where(eq(r.id, run.id));
      });
    }
    await withTenant(deps.db, tenantId, (tx) =>
      tx
        .update(tables.agentTestRuns)
        .set({ status: allPassed ? 'passed' : 'failed', finishedAt: deps.now() })
        .where(eq(tables.agentTestRuns.id, run.id)),
    );
  };

  return {
    async start(actor, tenantId, agentId, target) {
      if (!placer) {
        throw new AppError(
          'SANDBOX_DISABLED',
          'test runs place sandbox calls: the sandbox is off (SANDBOX=on)',
        );
      }
      const agent = await getAgent(deps, tenantId, agentId);
      let callTarget: TestCallTarget;
      if (target === 'draft') {
        const config = await withTenant(deps.db, tenantId, (tx) =>
          buildDraftConfig(tx, tenantId, agent.draft as AgentDraft),
        );
        callTarget = { agentId, versionId: null, version: null, config };
      } else {
        const version = await getAgentVersion(deps, tenantId, agentId, target.version);
        callTarget = {
          agentId,
          versionId: version.id,
          version: version.version,
          config: version.config as AgentConfig,
        };
      }
      const numbers = await listNumbers(deps, tenantId, { limit: 1, agentId });
      const number = numbers.items[0];
      if (!number) {
        throw new AppError(
          'CONFLICT',
          'the agent needs a phone number: test calls dial it like a caller would',
        );
      }
      const runId = newId('testRun');
      // Held before the row exists: a reader never sees this run running without its lease.
      await holdLease(runId);
      const { run, cases } = await withTenant(deps.db, tenantId, async (tx) => {
        const cases = await activeCases(tx, tenantId, agentId);
        if (cases.length === 0) {
          throw new AppError('VALIDATION_FAILED', 'the agent has no test cases', [
            { field: 'agentId', message: 'add a test case first' },
          ]);
        }
        const [run] = await tx
          .insert(tables.agentTestRuns)
          .values({
            id: runId,
            tenantId,
            agentId,
            agentVersionId: callTarget.versionId,
            version: callTarget.version,
            configHash: contentHash(callTarget.config),
            suiteHash: suiteHash(cases),
            status: 'running',
            total: cases.length,
            startedBy: actor.id,
          })
          .returning();
        return { run: run!, cases };
      });
      // A case can outlast the lease (a long call at real pace): refreshed on a timer as well.
      const refresh = setInterval(() => void holdLease(run.id).catch(() => {}), RUN_LEASE_MS / 3);
      refresh.unref();
      const job = execute(tenantId, run, cases, callTarget, number.e164)
        .catch(async (err: unknown) => {
          deps.log.error({ err, runId: run.id }, 'test run failed');
          await withTenant(deps.db, tenantId, (tx) =>
            tx
              .update(tables.agentTestRuns)
              .set({
                status: 'error',
                errorMessage: err instanceof Error ? err.message : String(err),
                finishedAt: deps.now(),
              })
              .where(eq(tables.agentTestRuns.id, run.id)),
          ).catch(() => {});
        })
        .finally(() => {
          clearInterval(refresh);
          running.delete(run.id);
          void deps.store.delete(runLeaseKey(run.id)).catch(() => {});
        });
      running.set(run.id, job);
      return toRun(run);
    },
    async finished(runId) {
      await running.get(runId);
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running.values()]);
    },
  };
}

async function findRun(deps: Deps, tenantId: string, agentId: string, runId: string): Promise<RunRow> {
  const r = tables.agentTestRuns;
  const [row] = await withTenant(deps.db, tenantId, (tx) =>
    tx
      .select()
      .from(r)
      .where(and(eq(r.tenantId, tenantId), eq(r.agentId, agentId), eq(r.id, runId))),
  );
  if (!row) throw new AppError('AGENT_TEST_RUN_NOT_FOUND', 'test run not found');
  const [settled] = await settleInterrupted(deps, tenantId, [row]);
  return settled!;
}

export interface TestRunDetail extends TestRun {
  results: TestResult[];
  /** The same cases on the published version's latest finished run, when there is one. */
  comparison: {
    version: number;
    runId: string;
    cases: { caseId: string; caseName: string; status: string; published: string | null }[];
  } | null;
}

/** A run with its results so far (progress while it runs) and the comparison with the published version. */
export async function getTestRun(
  deps: Deps,
  tenantId: string,
  agentId: string,
  runId: string,
): Promise<TestRunDetail> {
  const agent = await getAgent(deps, tenantId, agentId);
  const run = await findRun(deps, tenantId, agentId, runId);
  const res = tables.agentTestResults;
  const r = tables.agentTestRuns;
  return withTenant(deps.db, tenantId, async (tx) => {
    const results = await tx
      .select()
      .from(res)
      .where(eq(res.runId, runId))
      .orderBy(asc(res.createdAt), asc(res.id));
    let comparison: TestRunDetail['comparison'] = null;
    if (agent.liveVersionId && agent.liveVersion !== null) {
      const [published] = await tx
        .select()
        .from(r)
        .where(
          and(
            eq(r.tenantId, tenantId),
            eq(r.agentVersionId, agent.liveVersionId),
            inArray(r.status, ['passed', 'failed']),
          ),
        )
        .orderBy(desc(r.createdAt), desc(r.id))
        .limit(1);
      if (published) {
        const theirs = await tx.select().from(res).where(eq(res.runId, published.id));
        const byCase = new Map(theirs.map((t) => [t.caseId, t.status]));
        comparison = {
          version: agent.liveVersion,
          runId: published.id,
          cases: results.map((mine) => ({
            caseId: mine.caseId,
            caseName: mine.caseName,
            status: mine.status,
            published: byCase.get(mine.caseId) ?? null,
          })),
        };
      }
    }
    return { ...toRun(run), results: results.map(toResult), comparison };
  });
}

/** Runs newest first, optionally only those on one version (`draft`: the draft's runs). */
export async function listTestRuns(
  deps: Deps,
  tenantId: string,
  agentId: string,
  input: { version?: number | 'draft'; limit: number },
): Promise<TestRun[]> {
  await getAgent(deps, tenantId, agentId);
  const r = tables.agentTestRuns;
  const rows = await withTenant(deps.db, tenantId, (tx) =>
    tx
      .select()
      .from(r)
      .where(
        and(
          eq(r.tenantId, tenantId),
          eq(r.agentId, agentId),
          input.version === 'draft'
            ? isNull(r.agentVersionId)
            : input.version !== undefined
              ? eq(r.version, input.version)
              : undefined,
        ),
      )
      .orderBy(desc(r.createdAt), desc(r.id))
      .limit(input.limit),
  );
  return (await settleInterrupted(deps, tenantId, rows)).map(toRun);
}
