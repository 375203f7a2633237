import { and, eq, sql } from 'drizzle-orm';
import { type Tx, tables, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { N8nConnectionRow } from '../n8n/index.js';
import type { GatewayTool, ToolOutcome } from './types.js';

/**
 * The gateway's writes to `tool_executions` and `tool_execution_attempts`: one short transaction per
 * state change, so the console sees them as they happen. An execution that gets a tenant slot at
 * once starts as running; one that has to wait is pending until its slot comes.
 */

export interface ExecutionStart {
  id: string;
  tenantId: string;
  tool: GatewayTool;
  callId: string | null;
  turn: number | null;
  /** Test traffic (an agent test run's call). */
  test: boolean;
  arguments: unknown;
  startedAt: Date;
}

export type AttemptRow = Omit<typeof tables.toolExecutionAttempts.$inferInsert, 'id' | 'tenantId'>;

function executionValues(start: ExecutionStart) {
  const { tools } = tables;
  return {
    id: start.id,
    tenantId: start.tenantId,
    // A published snapshot may name a tool that was deleted since: keep the execution, drop the link.
    toolId: sql<string | null>`(select ${tools.id} from ${tools} where ${tools.id} = ${start.tool.id})`,
    toolName: start.tool.name,
    callId: start.callId,
    turn: start.turn,
    idempotencyKey: start.id,
    arguments: start.arguments ?? null,
    startedAt: start.startedAt,
  };
}

function finalValues(outcome: ToolOutcome, finishedAt: Date) {
  return {
    status: outcome.status,
    result: outcome.ok ? (outcome.result ?? null) : null,
    error: outcome.ok ? null : { ...outcome.error },
    finishedAt,
    durationMs: outcome.durationMs,
  };
}

async function loadConnection(tx: Tx, connectionId: string | null): Promise<N8nConnectionRow | null> {
  if (!connectionId) return null;
  const [connection] = await tx
    .select()
    .from(tables.n8nConnections)
    .where(eq(tables.n8nConnections.id, connectionId));
  return connection ?? null;
}

/** Records an execution that is running from the start, and reads its tool's n8n connection. */
export async function startExecution(deps: Deps, start: ExecutionStart): Promise<N8nConnectionRow | null> {
  return withTenant(deps.db, start.tenantId, async (tx) => {
    await tx.insert(tables.toolExecutions).values({ ...executionValues(start), status: 'running' });
    return loadConnection(tx, start.tool.connectionId);
  });
}

/** Records an execution that waits for a tenant slot. */
export async function insertPendingExecution(deps: Deps, start: ExecutionStart): Promise<void> {
  await withTenant(deps.db, start.tenantId, (tx) =>
    tx.insert(tables.toolExecutions).values({ ...executionValues(start), status: 'pending' }),
  );
}

/** A pending execution got its slot: running, and its tool's n8n connection read. */
export async function resumeExecution(deps: Deps, start: ExecutionStart): Promise<N8nConnectionRow | null> {
  return withTenant(deps.db, start.tenantId, async (tx) => {
    await tx
      .update(tables.toolExecutions)
      .set({ status: 'running' })
      .where(and(eq(tables.toolExecutions.id, start.id), eq(tables.toolExecutions.status, 'pending')));
    return loadConnection(tx, start.tool.connectionId);
  });
}

/** An execution that ends before any request (rejected arguments): written once, already final. */
export async function insertFinishedExecution(
  deps: Deps,
  start: ExecutionStart,
  outcome: ToolOutcome,
): Promise<void> {
  await withTenant(deps.db, start.tenantId, (tx) =>
    tx
      .insert(tables.toolExecutions)
      .values({ ...executionValues(start), ...finalValues(outcome, deps.now()) }),
  );
}

export async function recordAttempt(deps: Deps, tenantId: string, attempt: AttemptRow): Promise<void> {
  await withTenant(deps.db, tenantId, (tx) =>
    tx.insert(tables.toolExecutionAttempts).values({ ...attempt, tenantId }),
  );
}

/** The final status, with the last attempt in the same transaction when it is not recorded yet. */
export async function finishExecution(
  deps: Deps,
  tenantId: string,
  outcome: ToolOutcome,
  lastAttempt: AttemptRow | undefined,
): Promise<void> {
  await withTenant(deps.db, tenantId, async (tx) => {
    if (lastAttempt) await tx.insert(tables.toolExecutionAttempts).values({ ...lastAttempt, tenantId });
    await tx
      .update(tables.toolExecutions)
      .set(finalValues(outcome, deps.now()))
      .where(eq(tables.toolExecutions.id, outcome.executionId));
  });
}
