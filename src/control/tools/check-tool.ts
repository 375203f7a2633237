import { and, eq } from 'drizzle-orm';
import { type Tx, tables } from '../../db/index.js';
import type { FieldIssue } from '../field-issues.js';
import { checkJsonSchema } from './check-json-schema.js';
import type { ToolSnapshot } from './tool-schemas.js';

type ToolFields = Omit<ToolSnapshot, 'id'>;

/** Every problem with a tool as it would be saved: its schemas and its binding. */
export async function checkTool(tx: Tx, tenantId: string, tool: ToolFields): Promise<FieldIssue[]> {
  const issues = [
    ...checkJsonSchema('inputSchema', tool.inputSchema, { objectRoot: true }),
    ...(tool.outputSchema === null
      ? []
      : checkJsonSchema('outputSchema', tool.outputSchema, { objectRoot: false })),
  ];
  const target = tool.webhookPath ?? tool.workflowId;
  if (tool.connectionId === null && target !== null) {
    issues.push({ field: 'connectionId', message: 'is required when webhookPath or workflowId is set' });
  }
  if (tool.connectionId !== null) {
    if (target === null) {
      issues.push({
        field: 'webhookPath',
        message: 'or workflowId is required when the tool is bound to a connection',
      });
    }
    const [connection] = await tx
      .select({ id: tables.n8nConnections.id })
      .from(tables.n8nConnections)
      .where(
        and(eq(tables.n8nConnections.tenantId, tenantId), eq(tables.n8nConnections.id, tool.connectionId)),
      );
    if (!connection)
      issues.push({ field: 'connectionId', message: 'is not an n8n connection of this tenant' });
  }
  return issues;
}
