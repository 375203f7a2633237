import { eq } from 'drizzle-orm';
import { recordAudit } from '../../audit/index.js';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { type AgentVersion, findVersion, lockActiveAgent, toAgentVersion } from './agent-row.js';

/**
 * Makes an earlier (or later) published version live again. The version itself is unchanged; new
 * calls run it and record its id. The draft is left as it is.
 */
export async function rollbackAgent(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  agentId: string,
  version: number,
): Promise<AgentVersion> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const agent = await lockActiveAgent(tx, tenantId, agentId);
    const target = await findVersion(tx, tenantId, agentId, version);
    const [previous] = agent.liveVersionId
      ? await tx
          .select({ version: tables.agentVersions.version })
          .from(tables.agentVersions)
          .where(eq(tables.agentVersions.id, agent.liveVersionId))
      : [];
    await tx
      .update(tables.agents)
      .set({ liveVersionId: target.id, updatedAt: deps.now() })
      .where(eq(tables.agents.id, agentId));
    await recordAudit(tx, actor, {
      tenantId,
      action: 'agent.rollback',
      targetType: 'agent',
      targetId: agentId,
      summary: {
        before: { liveVersionId: agent.liveVersionId, version: previous?.version ?? null },
        after: { liveVersionId: target.id, version: target.version },
      },
    });
    return toAgentVersion(target, target.id);
  });
}
