import { eq } from 'drizzle-orm';
import { recordAudit } from '../../audit/index.js';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { type AgentDraft, type AgentDraftPatch, applyDraftPatch } from './agent-config.js';
import { type Agent, findAgent, lockActiveAgent } from './agent-row.js';

export interface UpdateAgentInput {
  name?: string;
  draft?: AgentDraftPatch;
}

/** Renames the agent and/or edits its draft. The live version does not change until a publish. */
export async function updateAgent(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  agentId: string,
  input: UpdateAgentInput,
): Promise<Agent> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const before = await lockActiveAgent(tx, tenantId, agentId);
    const draftBefore = before.draft as AgentDraft;
    const draft = input.draft ? applyDraftPatch(draftBefore, input.draft) : draftBefore;
    await tx
      .update(tables.agents)
      .set({ name: input.name ?? before.name, draft, updatedAt: deps.now() })
      .where(eq(tables.agents.id, agentId));
    const sections = Object.keys(input.draft ?? {}) as (keyof AgentDraft)[];
    await recordAudit(tx, actor, {
      tenantId,
      action: 'agent.update',
      targetType: 'agent',
      targetId: agentId,
      summary: {
        before: {
          ...(input.name === undefined ? {} : { name: before.name }),
          draft: Object.fromEntries(sections.map((k) => [k, draftBefore[k]])),
        },
        after: {
          ...(input.name === undefined ? {} : { name: input.name }),
          draft: Object.fromEntries(sections.map((k) => [k, draft[k]])),
        },
      },
    });
    return findAgent(tx, tenantId, agentId);
  });
}
