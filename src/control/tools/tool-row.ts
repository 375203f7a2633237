import { tables, tenantRowFinder } from '../../db/index.js';
import { AppError } from '../../lib/errors.js';
import type { ToolSnapshot } from './tool-schemas.js';

export type Tool = typeof tables.tools.$inferSelect;

/** The executable part of a tool: what a published version freezes and the gateway runs. */
export function toToolSnapshot(tool: Tool): ToolSnapshot {
  return {
    id: tool.id,
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    connectionId: tool.connectionId,
    webhookPath: tool.webhookPath,
    workflowId: tool.workflowId,
    timeoutMs: tool.timeoutMs,
    retry: tool.retry,
    idempotent: tool.idempotent,
  };
}

/** The tenant's tool, locked for update when asked; TOOL_NOT_FOUND otherwise. */
export const findTool = tenantRowFinder(tables.tools, () => new AppError('TOOL_NOT_FOUND', 'tool not found'));
