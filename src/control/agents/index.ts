export { AgentConfig, AgentDraft, AgentDraftPatch, applyDraftPatch, DEFAULT_DRAFT } from './agent-config.js';
export type { Agent, AgentVersion } from './agent-row.js';
export { diffAgentVersions, getAgentVersion, listAgentVersions } from './agent-versions.js';
export { archiveAgent } from './archive-agent.js';
export {
  DEEPGRAM_MODELS,
  LANGUAGES,
  OPENAI_MODEL_CAPABILITIES,
  OPENAI_MODELS,
  type OpenAiModelCapabilities,
  openAiModelCapabilities,
  openAiRequestParameters,
  RIME_MODELS,
  RIME_SPEAKERS,
  type RimeModel,
} from './catalog.js';
export { checkAgentDraft } from './check-draft.js';
export { type CreateAgentInput, createAgent } from './create-agent.js';
export { type ConfigChange, diffConfigs } from './diff-configs.js';
export { getAgent, listAgents } from './list-agents.js';
export { buildDraftConfig, publishAgentVersion } from './publish-agent-version.js';
export { rollbackAgent } from './rollback-agent.js';
export { type UpdateAgentInput, updateAgent } from './update-agent.js';
export { validateDraft } from './validate-draft.js';
