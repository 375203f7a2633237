import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import { getCallDetail } from '../analytics/index.js';
import { recordAudit } from '../audit/index.js';
import { getAgent } from '../control/agents/index.js';
import { type Tx, tables, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { Actor } from '../lib/actor.js';
import { AppError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import type { TestCase, TestCaseSpec, TestExpect } from './test-case.js';

type CaseRow = typeof tables.agentTestCases.$inferSelect;

/** What a case and each of its revisions hold. */
function caseContent(row: Pick<CaseRow, 'name' | 'revision' | 'spec' | 'expect'>) {
  return {
    name: row.name,
    revision: row.revision,
    spec: row.spec as TestCaseSpec,
    expect: row.expect as TestExpect,
  };
}

export function toTestCase(row: CaseRow): TestCase {
  return {
    id: row.id,
    agentId: row.agentId,
    ...caseContent(row),
    sourceCallId: row.sourceCallId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The agent's active cases, oldest first (the order a run plays them). */
export async function activeCases(tx: Tx, tenantId: string, agentId: string): Promise<CaseRow[]> {
  const c = tables.agentTestCases;
  return tx
    .select()
    .from(c)
    .where(and(eq(c.tenantId, tenantId), eq(c.agentId, agentId), isNull(c.deletedAt)))
    .orderBy(asc(c.createdAt), asc(c.id));
}

/** The agent's case; a deleted one only `withDeleted`. */
async function findCase(
  tx: Tx,
  tenantId: string,
  agentId: string,
  caseId: string,
  withDeleted = false,
): Promise<CaseRow> {
  const c = tables.agentTestCases;
  const active = withDeleted ? undefined : isNull(c.deletedAt);
  const [row] = await tx
    .select()
    .from(c)
    .where(and(eq(c.tenantId, tenantId), eq(c.agentId, agentId), eq(c.id, caseId), active));
  if (!row) throw new AppError('AGENT_TEST_CASE_NOT_FOUND', 'test case not found');
  return row;
}

async function writeRevision(tx: Tx, actor: Actor, row: CaseRow, deleted: boolean): Promise<void> {
  await tx.insert(tables.agentTestCaseRevisions).values({
    caseId: row.id,
    tenantId: row.tenantId,
    revision: row.revision,
    name: row.name,
    spec: row.spec,
    expect: row.expect,
    deleted,
    actorId: actor.id,
  });
}

export async function listTestCases(deps: Deps, tenantId: string, agentId: string): Promise<TestCase[]> {
  await getAgent(deps, tenantId, agentId);
  return withTenant(deps.db, tenantId, async (tx) =>
    (await activeCases(tx, tenantId, agentId)).map(toTestCase),
  );
}

export async function getTestCase(
  deps: Deps,
  tenantId: string,
  agentId: string,
  caseId: string,
): Promise<TestCase> {
  return withTenant(deps.db, tenantId, async (tx) =>
    toTestCase(await findCase(tx, tenantId, agentId, caseId)),
  );
}

export interface CreateTestCaseInput {
  name: string;
  spec: TestCaseSpec;
  expect: TestExpect;
  sourceCallId?: string | null;
}

export async function createTestCase(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  agentId: string,
  input: CreateTestCaseInput,
): Promise<TestCase> {
  await getAgent(deps, tenantId, agentId);
  return withTenant(deps.db, tenantId, async (tx) => {
    const [row] = await tx
      .insert(tables.agentTestCases)
      .values({
        id: newId('testCase'),
        tenantId,
        agentId,
        name: input.name,
        spec: input.spec,
        expect: input.expect,
        sourceCallId: input.sourceCallId ?? null,
      })
      .returning();
    await writeRevision(tx, actor, row!, false);
    await recordAudit(tx, actor, {
      tenantId,
      action: 'agent_test.create',
      targetType: 'agent_test_case',
      targetId: row!.id,
      summary: { agentId, name: input.name, sourceCallId: input.sourceCallId ?? null },
    });
    return toTestCase(row!);
  });
}

interface CaseRevision {
  changes: Partial<typeof tables.agentTestCases.$inferInsert>;
  deleted: boolean;
  action: string;
  summary: (saved: CaseRow) => Record<string, unknown>;
}

/**
 * Saves the next revision of an active case (what `revise` changes, the revision number bumped),
 * keeps it in the case's history and records it in the audit log.
 */
async function reviseCase(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  agentId: string,
  caseId: string,
  revise: (before: CaseRow) => CaseRevision,
): Promise<CaseRow> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const before = await findCase(tx, tenantId, agentId, caseId);
    const { changes, deleted, action, summary } = revise(before);
    const [row] = await tx
      .update(tables.agentTestCases)
      .set({ ...changes, revision: before.revision + 1, updatedAt: deps.now() })
      .where(eq(tables.agentTestCases.id, caseId))
      .returning();
    await writeRevision(tx, actor, row!, deleted);
    await recordAudit(tx, actor, {
      tenantId,
      action,
      targetType: 'agent_test_case',
      targetId: caseId,
      summary: summary(row!),
    });
    return row!;
  });
}

export async function updateTestCase(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  agentId: string,
  caseId: string,
  patch: Partial<CreateTestCaseInput>,
): Promise<TestCase> {
  const saved = await reviseCase(deps, actor, tenantId, agentId, caseId, (before) => ({
    changes: {
      name: patch.name ?? before.name,
      spec: patch.spec ?? before.spec,
      expect: patch.expect ?? before.expect,
    },
    deleted: false,
    action: 'agent_test.update',
    summary: (row) => ({ agentId, revision: row.revision, changed: Object.keys(patch) }),
  }));
  return toTestCase(saved);
}

/** Removes a case from the suite; its history and past results stay. */
export async function deleteTestCase(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  agentId: string,
  caseId: string,
): Promise<void> {
  await reviseCase(deps, actor, tenantId, agentId, caseId, (before) => ({
    changes: { deletedAt: deps.now() },
    deleted: true,
    action: 'agent_test.delete',
    summary: () => ({ agentId, name: before.name }),
  }));
}

export interface TestCaseRevision {
  revision: number;
  name: string;
  spec: TestCaseSpec;
  expect: TestExpect;
  deleted: boolean;
  actorId: string | null;
  createdAt: Date;
}

/** Every revision of a case, newest first (deleted cases included). */
export async function testCaseHistory(
  deps: Deps,
  tenantId: string,
  agentId: string,
  caseId: string,
): Promise<TestCaseRevision[]> {
  return withTenant(deps.db, tenantId, async (tx) => {
    await findCase(tx, tenantId, agentId, caseId, true);
    const r = tables.agentTestCaseRevisions;
    const rows = await tx.select().from(r).where(eq(r.caseId, caseId)).orderBy(desc(r.revision));
    return rows.map((row) => ({
      ...caseContent(row),
      deleted: row.deleted,
      actorId: row.actorId,
      createdAt: row.createdAt,
    }));
  });
}

/** How long a case made from a call waits for each agent turn. */
const WAIT_FOR_AGENT_MS = 20_000;

/**
 * "Turn this call into a test": the finished call's caller turns become the script (each said after
 * the agent has spoken), and by default the case expects the tools the call ran and no tool failure.
 */
export async function createTestCaseFromCall(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  agentId: string,
  input: { callId: string; name: string; expect?: TestExpect; llm?: Record<string, unknown> },
): Promise<TestCase> {
  const detail = await getCallDetail(deps, {
    tenantId,
    callId: input.callId,
    view: 'internal',
    viewer: actor.id ?? 'system',
  });
  if (detail.call.agentId !== agentId) {
    throw new AppError('VALIDATION_FAILED', 'the call was not answered by this agent', [
      { field: 'body/callId', message: 'must be a call of this agent' },
    ]);
  }
  const steps: Record<string, unknown>[] = [];
  let agentSpoke = false;
  for (const turn of detail.transcript) {
    if (turn.speaker === 'agent') {
      agentSpoke = true;
      continue;
    }
    if (turn.speaker !== 'caller' || !turn.text.trim()) continue;
    if (agentSpoke) steps.push({ type: 'waitFor', timeoutMs: WAIT_FOR_AGENT_MS });
    steps.push({ type: 'say', text: turn.text });
    agentSpoke = false;
  }
  if (!steps.some((s) => s.type === 'say')) {
    throw new AppError('VALIDATION_FAILED', 'the call has no caller speech to replay', [
      { field: 'body/callId', message: 'the call has no caller turns (or its content was deleted)' },
    ]);
  }
  if (agentSpoke) steps.push({ type: 'waitFor', timeoutMs: WAIT_FOR_AGENT_MS });
  const toolNames = [...new Set(detail.toolExecutions.map((t) => t.toolName))];
  const expect: TestExpect = input.expect ?? {
    ...(toolNames.length > 0 ? { toolCalled: toolNames.map((name) => ({ name })) } : {}),
    noToolFailures: true,
  };
  return createTestCase(deps, actor, tenantId, agentId, {
    name: input.name,
    spec: {
      caller: { ...(detail.call.fromNumber ? { from: detail.call.fromNumber } : {}), steps },
      ...(input.llm ? { llm: input.llm } : {}),
    },
    expect,
    sourceCallId: input.callId,
  });
}
