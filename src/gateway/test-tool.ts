import { and, eq, isNull } from 'drizzle-orm';
import { tables, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { AppError } from '../lib/errors.js';
import type { ExecuteOptions, Gateway } from './gateway.js';
import type { GatewayTool, ToolOutcome } from './types.js';

const gatewayToolColumns = {
  id: tables.tools.id,
  name: tables.tools.name,
  description: tables.tools.description,
  inputSchema: tables.tools.inputSchema,
  outputSchema: tables.tools.outputSchema,
  connectionId: tables.tools.connectionId,
  webhookPath: tables.tools.webhookPath,
  workflowId: tables.tools.workflowId,
  timeoutMs: tables.tools.timeoutMs,
  retry: tables.tools.retry,
  idempotent: tables.tools.idempotent,
};

/** The current (not archived) definition of a tool, as the gateway executes it. */
export async function loadGatewayTool(deps: Deps, tenantId: string, toolId: string): Promise<GatewayTool> {
  const [tool] = await withTenant(deps.db, tenantId, (tx) =>
    tx
      .select(gatewayToolColumns)
      .from(tables.tools)
      .where(and(eq(tables.tools.id, toolId), isNull(tables.tools.archivedAt))),
  );
  if (!tool) throw new AppError('TOOL_NOT_FOUND', 'tool not found');
  return tool;
}

/** The console's "test tool" action: a real execution outside any call, tracked like the others. */
export async function testTool(
  deps: Deps,
  gateway: Gateway,
  input: { tenantId: string; toolId: string; arguments: unknown },
  options: ExecuteOptions = {},
): Promise<ToolOutcome> {
  const tool = await loadGatewayTool(deps, input.tenantId, input.toolId);
  return gateway.execute(
    deps,
    { tenantId: input.tenantId, tool, arguments: input.arguments, context: {} },
    options,
  );
}
