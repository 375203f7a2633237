/** What other areas (telephony, runtime, gateway, web) use from the control plane. */
export {
  type Agent,
  AgentConfig,
  AgentDraft,
  type AgentVersion,
  type ConfigChange,
  DEEPGRAM_MODELS,
  diffConfigs,
  OPENAI_MODELS,
  openAiRequestParameters,
  RIME_SPEAKERS,
} from './agents/index.js';
export type { FieldIssue } from './field-issues.js';
export type { N8nConnection, WebhookAuthView } from './n8n/index.js';
export { type NumberResolution, resolveNumber } from './phone-numbers/index.js';
export { type Tool, ToolSnapshot, toToolSnapshot } from './tools/index.js';
