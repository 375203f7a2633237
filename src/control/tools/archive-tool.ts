import { eq } from 'drizzle-orm';
import { recordAudit } from '../../audit/index.js';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { findTool, type Tool } from './tool-row.js';

/**
 * Archives a tool: it leaves lists, can no longer be published with an agent and frees its name.
 * Versions already published keep their snapshot of it, so live calls are unaffected.
 */
export async function archiveTool(deps: Deps, actor: Actor, tenantId: string, toolId: string): Promise<Tool> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const before = await findTool(tx, tenantId, toolId, true);
    if (before.archivedAt) throw new AppError('TOOL_NOT_FOUND', 'tool is already archived');
    const [after] = await tx
      .update(tables.tools)
      .set({ archivedAt: deps.now(), updatedAt: deps.now() })
      .where(eq(tables.tools.id, toolId))
      .returning();
    await recordAudit(tx, actor, {
      tenantId,
      action: 'tool.archive',
      targetType: 'tool',
      targetId: toolId,
      summary: { before: { archivedAt: null }, after: { archivedAt: after!.archivedAt } },
    });
    return after!;
  });
}
