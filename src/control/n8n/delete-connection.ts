import { and, eq, isNull, sql } from 'drizzle-orm';
import { deleteAudited } from '../../audit/index.js';
import { tables, withLockedRow } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { auditView, findConnection, type N8nConnection, toConnectionView } from './connection-row.js';

/**
 * Deletes a connection that no active tool is bound to and no live agent version still calls
 * (a published snapshot keeps the connection it was published with). Archived tools are unbound.
 */
export async function deleteN8nConnection(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  connectionId: string,
): Promise<N8nConnection> {
  return withLockedRow(deps.db, findConnection, tenantId, connectionId, async (tx, before) => {
    const t = tables.tools;
    const bound = await tx
      .select({ name: t.name })
      .from(t)
      .where(and(eq(t.tenantId, tenantId), eq(t.connectionId, connectionId), isNull(t.archivedAt)));
    if (bound.length > 0) {
      throw new AppError(
        'N8N_CONNECTION_IN_USE',
        `tools are bound to this connection: ${bound.map((b) => b.name).join(', ')}; rebind or archive them first`,
        bound.map((b) => ({ field: 'tools', message: b.name })),
      );
    }
    const { agents: a, agentVersions: v } = tables;
    const live = await tx
      .select({ name: a.name })
      .from(a)
      .innerJoin(v, eq(v.id, a.liveVersionId))
      .where(
        and(
          eq(a.tenantId, tenantId),
          isNull(a.archivedAt),
          sql`${v.config} @> ${JSON.stringify({ tools: [{ connectionId }] })}::jsonb`,
        ),
      );
    if (live.length > 0) {
      throw new AppError(
        'N8N_CONNECTION_IN_USE',
        `live agent versions call this connection: ${live.map((l) => l.name).join(', ')}; publish them without it first`,
        live.map((l) => ({ field: 'agents', message: l.name })),
      );
    }
    await tx
      .update(t)
      .set({ connectionId: null, updatedAt: deps.now() })
      .where(and(eq(t.tenantId, tenantId), eq(t.connectionId, connectionId)));
    await deleteAudited(tx, actor, tables.n8nConnections, connectionId, {
      tenantId,
      action: 'n8n_connection.delete',
      targetType: 'n8n_connection',
      summary: { before: auditView(before) },
    });
    return toConnectionView(before);
  });
}
