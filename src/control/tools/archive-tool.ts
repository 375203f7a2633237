import { updateAudited } from '../../audit/index.js';
import { tables, withLockedRow } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { findTool, type Tool } from './tool-row.js';

/**
 * Archives a tool: it leaves lists, can no longer be published with an agent and frees its name.
 * Versions already published keep their snapshot of it, so live calls are unaffected.
 */
export async function archiveTool(deps: Deps, actor: Actor, tenantId: string, toolId: string): Promise<Tool> {
  return withLockedRow(deps.db, findTool, tenantId, toolId, async (tx, before) => {
    if (before.archivedAt) throw new AppError('TOOL_NOT_FOUND', 'tool is already archived');
    return updateAudited(tx, actor, tables.tools, toolId, {
      tenantId,
      action: 'tool.archive',
      targetType: 'tool',
      set: { archivedAt: deps.now(), updatedAt: deps.now() },
      summary: (after) => ({ before: { archivedAt: null }, after: { archivedAt: after.archivedAt } }),
    });
  });
}
