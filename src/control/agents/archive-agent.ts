import { eq } from 'drizzle-orm';
import { updateAudited } from '../../audit/index.js';
import { tables, withLockedRow } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { type Agent, findAgent, lockAgent } from './agent-row.js';

/**
 * Archives an agent. Refused while phone numbers still route to it, so no caller is silently cut
 * off; its versions stay for the calls that ran them.
 */
export async function archiveAgent(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  agentId: string,
): Promise<Agent> {
  return withLockedRow(deps.db, lockAgent, tenantId, agentId, async (tx, before) => {
    if (before.archivedAt) throw new AppError('AGENT_NOT_FOUND', 'agent is already archived');
    const numbers = await tx
      .select({ e164: tables.phoneNumbers.e164 })
      .from(tables.phoneNumbers)
      .where(eq(tables.phoneNumbers.agentId, agentId));
    if (numbers.length > 0) {
      throw new AppError(
        'AGENT_IN_USE',
        `phone numbers still route to this agent (${numbers.map((n) => n.e164).join(', ')}); reassign them first`,
      );
    }
    const now = deps.now();
    await updateAudited(tx, actor, tables.agents, agentId, {
      tenantId,
      action: 'agent.archive',
      targetType: 'agent',
      set: { archivedAt: now, updatedAt: now },
      summary: { before: { archivedAt: null }, after: { archivedAt: now } },
    });
    return findAgent(tx, tenantId, agentId);
  });
}
