import { updateAudited } from '../../audit/index.js';
import { tables, withLockedRow } from '../../db/index.js';
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
  return withLockedRow(deps.db, lockActiveAgent, tenantId, agentId, async (tx, before) => {
    const draftBefore = before.draft as AgentDraft;
    const draft = input.draft ? applyDraftPatch(draftBefore, input.draft) : draftBefore;
    const sections = Object.keys(input.draft ?? {}) as (keyof AgentDraft)[];
    await updateAudited(tx, actor, tables.agents, agentId, {
      tenantId,
      action: 'agent.update',
      targetType: 'agent',
      set: { name: input.name ?? before.name, draft, updatedAt: deps.now() },
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
