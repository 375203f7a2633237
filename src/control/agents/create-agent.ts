import { recordAudit } from '../../audit/index.js';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { newId } from '../../lib/ids.js';
import { type AgentDraftPatch, applyDraftPatch, DEFAULT_DRAFT } from './agent-config.js';
import { type Agent, findAgent } from './agent-row.js';

export interface CreateAgentInput {
  name: string;
  draft?: AgentDraftPatch;
}

/** A new agent with a draft (defaults filled in); nothing is live until it is published. */
export async function createAgent(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  input: CreateAgentInput,
): Promise<Agent> {
  const draft = applyDraftPatch(DEFAULT_DRAFT, input.draft ?? {});
  return withTenant(deps.db, tenantId, async (tx) => {
    const id = newId('agent');
    await tx.insert(tables.agents).values({ id, tenantId, name: input.name, draft });
    await recordAudit(tx, actor, {
      tenantId,
      action: 'agent.create',
      targetType: 'agent',
      targetId: id,
      summary: { after: { name: input.name, draft } },
    });
    return findAgent(tx, tenantId, id);
  });
}
