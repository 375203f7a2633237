import type { GatewayTool } from '../gateway/index.js';

/**
 * What the engine needs from a published agent version's configuration (the control plane's
 * `AgentConfig` satisfies it).
 */
export interface CallAgentConfig {
  systemPrompt: string;
  /** Said word for word when the call connects; empty lets the LLM open the conversation. */
  greeting: string;
  language: string;
  voice: { model: string; speaker: string };
  stt: { model: string; endpointingMs: number };
  llm: { model: string; temperature: number; maxTokens: number };
  tools: GatewayTool[];
  limits: { maxDurationS: number; silenceTimeoutS: number };
  fallbackPhrases: { noAnswer: string; toolSlow: string; error: string; goodbye: string };
  /** Labels the agent may report as the call's outcome (its built-in `set_outcome` tool). */
  outcomeLabels?: string[];
  /** A call placed by an agent test run: its tool calls reach n8n flagged as test traffic. */
  testCall?: boolean;
}

/** One call as the engine runs it: identity, who called whom, and the agent version to run. */
export interface CallContext {
  callId: string;
  tenantId: string;
  agentId: string | null;
  agentVersionId: string | null;
  from: string | null;
  to: string | null;
  /** Twilio's CallSid, when Twilio carries the call. */
  twilioCallSid: string | null;
  config: CallAgentConfig;
}
