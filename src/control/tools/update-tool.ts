import { changeSummary, updateAudited } from '../../audit/index.js';
import { tables, withLockedRow } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { uniqueViolation } from '../db-errors.js';
import { throwIfIssues } from '../field-issues.js';
import { checkTool } from './check-tool.js';
import { nameTaken } from './create-tool.js';
import { findTool, type Tool, toToolSnapshot } from './tool-row.js';
import type { UpdateToolInput } from './tool-schemas.js';

/** Changes a tool. Published agent versions keep the snapshot they were published with. */
export async function updateTool(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  toolId: string,
  input: UpdateToolInput,
): Promise<Tool> {
  try {
    return await withLockedRow(deps.db, findTool, tenantId, toolId, async (tx, before) => {
      if (before.archivedAt) throw new AppError('TOOL_NOT_FOUND', 'tool is archived');
      const { id: _id, ...current } = toToolSnapshot(before);
      const merged = { ...current, ...input };
      throwIfIssues('TOOL_SCHEMA_INVALID', 'tool is invalid', await checkTool(tx, tenantId, merged));
      return updateAudited(tx, actor, tables.tools, toolId, {
        tenantId,
        action: 'tool.update',
        targetType: 'tool',
        set: { ...input, updatedAt: deps.now() },
        summary: (after) => changeSummary(input, before, after),
      });
    });
  } catch (err) {
    if (uniqueViolation(err) === 'tools_tenant_name_key') throw nameTaken(input.name ?? '');
    throw err;
  }
}
