import { eq } from 'drizzle-orm';
import { updateAudited } from '../../audit/index.js';
import { tables, withLockedRow } from '../../db/index.js';
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
  return withLockedRow(deps.db, lockActiveAgent, tenantId, agentId, async (tx, agent) => {
    const target = await findVersion(tx, tenantId, agentId, version);
    const [previous] = agent.liveVersionId
      ? await tx
          .select({ version: tables.agentVersions.version })
          .from(tables.agentVersions)
          .where(eq(tables.agentVersions.id, agent.liveVersionId))
      : [];
    await updateAudited(tx, actor, tables.agents, agentId, {
      tenantId,
      action: 'agent.rollback',
      targetType: 'agent',
      set: { liveVersionId: target.id, updatedAt: deps.now() },
      summary: {
        before: { liveVersionId: agent.liveVersionId, version: previous?.version ?? null },
        after: { liveVersionId: target.id, version: target.version },
      },
    });
    return toAgentVersion(target, target.id);
  });
}
