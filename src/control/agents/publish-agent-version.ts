import { eq, max } from 'drizzle-orm';
import { updateAudited } from '../../audit/index.js';
import { type Tx, tables, withLockedRow } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { newId } from '../../lib/ids.js';
import { checkPublishGate, type PublishGateInput } from '../../quality/publish-gate.js';
import { throwIfIssues } from '../field-issues.js';
import { toToolSnapshot } from '../tools/tool-row.js';
import type { AgentConfig, AgentDraft } from './agent-config.js';
import { type AgentVersion, lockActiveAgent, toAgentVersion } from './agent-row.js';
import { loadDraftTools } from './load-draft-tools.js';
import { validateDraft } from './validate-draft.js';

/** The configuration publishing `draft` now would freeze (tools as snapshots); AGENT_VERSION_INVALID otherwise. */
export async function buildDraftConfig(tx: Tx, tenantId: string, draft: AgentDraft): Promise<AgentConfig> {
  const tools = await loadDraftTools(tx, tenantId, draft.toolIds ?? []);
  throwIfIssues('AGENT_VERSION_INVALID', 'the draft cannot be published', validateDraft(draft, tools));
  const { toolIds, ...settings } = draft;
  return { ...settings, tools: toolIds.map((id) => toToolSnapshot(tools.get(id)!)) };
}

/**
 * Validates the draft and freezes it as the next numbered version, tools included, which becomes
 * live at once. Fails with AGENT_VERSION_INVALID naming every bad field; nothing is written then.
 * When the agent has a test suite, a passing run on exactly this configuration is required
 * (AGENT_TESTS_REQUIRED / AGENT_TESTS_FAILED), unless an internal_admin overrides with a reason.
 */
export async function publishAgentVersion(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  agentId: string,
  input: { note?: string } & PublishGateInput = {},
): Promise<AgentVersion> {
  return withLockedRow(deps.db, lockActiveAgent, tenantId, agentId, async (tx, agent) => {
    const config = await buildDraftConfig(tx, tenantId, agent.draft as AgentDraft);
    const gate = await checkPublishGate(tx, actor, tenantId, agentId, config, input);
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
        testRunId: gate.testRunId,
        gateOverride: gate.override,
      })
      .returning();
    await updateAudited(tx, actor, tables.agents, agentId, {
      tenantId,
      action: 'agent.publish',
      targetType: 'agent',
      set: { liveVersionId: row!.id, updatedAt: deps.now() },
      summary: {
        before: { liveVersionId: agent.liveVersionId },
        after: { liveVersionId: row!.id, version, note: input.note ?? null, testRunId: gate.testRunId },
      },
    });
    return toAgentVersion(row!, row!.id);
  });
}
