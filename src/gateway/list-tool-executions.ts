import { and, asc, count, eq, gte, isNotNull, lt, or } from 'drizzle-orm';
import { keysetPage, tables, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { AppError } from '../lib/errors.js';
import type { Page, PageInput } from '../lib/pagination.js';
import type { ExecutionStatus, ToolError } from './types.js';

export interface ToolExecutionFilter extends PageInput {
  toolId?: string;
  toolName?: string;
  status?: ExecutionStatus;
  callId?: string;
  /** Started at or after. */
  from?: Date;
  /** Started before. */
  to?: Date;
}

const { toolExecutions: executions, toolExecutionAttempts: attempts } = tables;

const summaryColumns = {
  id: executions.id,
  toolId: executions.toolId,
  toolName: executions.toolName,
  callId: executions.callId,
  turn: executions.turn,
  status: executions.status,
  error: executions.error,
  startedAt: executions.startedAt,
  finishedAt: executions.finishedAt,
  durationMs: executions.durationMs,
};

type Stored<T extends { error: unknown }> = Omit<T, 'error'> & { error: ToolError | null };

export type ToolExecutionSummary = Stored<{
  [K in keyof typeof summaryColumns]: (typeof executions.$inferSelect)[K];
}>;
export type ToolExecution = Stored<typeof executions.$inferSelect>;
export type ToolExecutionAttempt = typeof attempts.$inferSelect;

/** The gateway is the only writer of `error`, always with a ToolError. */
const withToolError = <T extends { error: unknown }>(row: T): Stored<T> => ({
  ...row,
  error: (row.error ?? null) as ToolError | null,
});

/** A tenant's tool executions, newest first. */
export async function listToolExecutions(
  deps: Deps,
  tenantId: string,
  filter: ToolExecutionFilter,
): Promise<Page<ToolExecutionSummary>> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const page = await keysetPage(
      tx.select(summaryColumns).from(executions).$dynamic(),
      executions.id,
      filter,
      filter.toolId ? eq(executions.toolId, filter.toolId) : undefined,
      filter.toolName ? eq(executions.toolName, filter.toolName) : undefined,
      filter.status ? eq(executions.status, filter.status) : undefined,
      filter.callId ? eq(executions.callId, filter.callId) : undefined,
      filter.from ? gte(executions.startedAt, filter.from) : undefined,
      filter.to ? lt(executions.startedAt, filter.to) : undefined,
    );
    return { ...page, items: page.items.map(withToolError) };
  });
}

/** One execution with its HTTP attempts in order. */
export async function getToolExecution(
  deps: Deps,
  tenantId: string,
  id: string,
): Promise<ToolExecution & { attempts: ToolExecutionAttempt[] }> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const [execution] = await tx.select().from(executions).where(eq(executions.id, id));
    if (!execution) throw new AppError('TOOL_EXECUTION_NOT_FOUND', 'tool execution not found');
    const rows = await tx
      .select()
      .from(attempts)
      .where(eq(attempts.executionId, id))
      .orderBy(asc(attempts.attempt));
    return { ...withToolError(execution), attempts: rows };
  });
}

/**
 * How many requests of a call's tool executions reached n8n, per tool name: attempts that got an
 * HTTP answer or ran out of time waiting for one (a refused connection never reached it).
 */
export async function countToolRequests(
  deps: Deps,
  tenantId: string,
  callId: string,
): Promise<Record<string, number>> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const rows = await tx
      .select({ toolName: executions.toolName, n: count() })
      .from(attempts)
      .innerJoin(executions, eq(executions.id, attempts.executionId))
      .where(
        and(
          eq(executions.callId, callId),
          or(isNotNull(attempts.statusCode), eq(attempts.errorClass, 'timeout')),
        ),
      )
      .groupBy(executions.toolName);
    return Object.fromEntries(rows.map((r) => [r.toolName, Number(r.n)]));
  });
}
