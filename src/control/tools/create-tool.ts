import { recordCreation } from '../../audit/index.js';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { uniqueViolation } from '../db-errors.js';
import { throwIfIssues } from '../field-issues.js';
import { checkTool } from './check-tool.js';
import { type Tool, toToolSnapshot } from './tool-row.js';
import { type CreateToolInput, DEFAULT_TOOL_RETRY, TOOL_TIMEOUT_MS } from './tool-schemas.js';

export async function createTool(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  input: CreateToolInput,
): Promise<Tool> {
  const fields = {
    name: input.name,
    description: input.description,
    inputSchema: input.inputSchema,
    outputSchema: input.outputSchema ?? null,
    connectionId: input.connectionId ?? null,
    webhookPath: input.webhookPath ?? null,
    workflowId: input.workflowId ?? null,
    timeoutMs: input.timeoutMs ?? TOOL_TIMEOUT_MS.default,
    retry: input.retry ?? DEFAULT_TOOL_RETRY,
    idempotent: input.idempotent ?? false,
  };
  try {
    return await withTenant(deps.db, tenantId, async (tx) => {
      throwIfIssues('TOOL_SCHEMA_INVALID', 'tool is invalid', await checkTool(tx, tenantId, fields));
      const [tool] = await tx
        .insert(tables.tools)
        .values({ id: newId('tool'), tenantId, ...fields })
        .returning();
      await recordCreation(
        tx,
        actor,
        { tenantId, targetType: 'tool', targetId: tool!.id },
        toToolSnapshot(tool!),
      );
      return tool!;
    });
  } catch (err) {
    if (uniqueViolation(err) === 'tools_tenant_name_key') throw nameTaken(input.name);
    throw err;
  }
}

export const nameTaken = (name: string) =>
  new AppError('TOOL_NAME_TAKEN', `this tenant already has a tool named "${name}"`, [
    { field: 'name', message: 'is already taken' },
  ]);
