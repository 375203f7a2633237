import { eq, max } from 'drizzle-orm';
import { recordAudit } from '../../audit/index.js';
import { tables, withTenant } from '../../db/index.js';
import type { Actor, Deps } from '../../lib/deps.js';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { throwIfIssues } from '../field-issues.js';
import { toToolSnapshot } from '../tools/tool-row.js';
import type { AgentConfig, AgentDraft } from './agent-config.js';
import { type AgentVersion, lockAgent, toAgentVersion } from './agent-row.js';
import { loadDraftTools } from './load-draft-tools.js';
import { validateDraft } from './validate-draft.js';

/**
 * Validates the draft and freezes it as the next numbered version, tools included, which becomes
 * live at once. Fails with AGENT_VERSION_INVALID naming every bad field; nothing is written then.
 */
export async function publishAgentVersion(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  agentId: string,
  input: { note?: string } = {},
): Promise<AgentVersion> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const agent = await lockAgent(tx, tenantId, agentId);
    if (agent.archivedAt) throw new AppError('AGENT_NOT_FOUND', 'agent is archived');
    const draft = agent.draft as AgentDraft;
    const tools = await loadDraftTools(tx, tenantId, draft.toolIds ?? []);
    throwIfIssues('AGENT_VERSION_INVALID', 'the draft cannot be published', validateDraft(draft, tools));

    const { toolIds, ...settings } = draft;
    const config: AgentConfig = { ...settings, tools: toolIds.map((id) => toToolSnapshot(tools.get(id)!)) };
    const [latest] = await tx
      .select({ version: max(tables.agentVersions.version) })
      .from(tables.agentVersions)
      .where(eq(tables.agentVersions.agentId, agentId));
    const version = (latest?.version ?? 0) + 1;
    const [row] = await tx
      .insert(tables.agentVersions)
      .values({
        id: newId('agentVersion'),
        tenantId,
        agentId,
        version,
        config,
        note: input.note ?? null,
        publishedBy: actor.kind === 'user' ? actor.id : null,
      })
      .returning();
    await tx
      .update(tables.agents)
      .set({ liveVersionId: row!.id, updatedAt: deps.now() })
      .where(eq(tables.agents.id, agentId));
    await recordAudit(tx, actor, {
      tenantId,
      action: 'agent.publish',
      targetType: 'agent',
      targetId: agentId,
      summary: {
        before: { liveVersionId: agent.liveVersionId },
        after: { liveVersionId: row!.id, version, note: input.note ?? null },
      },
    });
    return toAgentVersion(row!, row!.id);
  });
}
