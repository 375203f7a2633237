import { type AgentDraftPatch, applyDraftPatch, DEFAULT_DRAFT } from '../../src/control/agents/index.js';
import type { GatewayTool } from '../../src/gateway/index.js';
import type { CallAgentConfig } from '../../src/runtime/index.js';

/**
 * What the engine runs for a new agent's draft with `patch` applied, merged as the control plane
 * merges it, calling `tools`: a test names only the settings it depends on.
 */
export function callConfigFromDraft(patch: AgentDraftPatch = {}, tools: GatewayTool[] = []): CallAgentConfig {
  const { toolIds: _toolIds, ...draft } = applyDraftPatch(DEFAULT_DRAFT, patch);
  return { ...draft, tools };
}
