import type { ChatMessage, FunctionTool } from './request.js';
import { LlmScript, type LlmScriptInput } from './script.js';
import type { StreamOutcome } from './stream-turn.js';
import type { CompletionUsage } from './usage.js';

export type LlmRequestOutcome = StreamOutcome | 'rate_limited' | 'server_error' | 'invalid_request';

/** One request the emulator received for an API key, as tests inspect it. */
export interface LlmRequestRecord {
  /** 1-based request number for this key: what the fault knobs count. */
  n: number;
  /** Milliseconds since the epoch, from the emulator's clock. */
  at: number;
  model: string | undefined;
  stream: boolean;
  /** The validated messages; empty when the body was invalid. */
  messages: ChatMessage[];
  tools: FunctionTool[];
  /** Sampling and length parameters the request set. */
  params: LlmRequestParams;
  status: number;
  outcome: LlmRequestOutcome;
  /** The rule that answered (index in `script.rules`); undefined for the default reply. */
  ruleIndex?: number | undefined;
  reply?: { content: string | null; toolCalls: { id: string; name: string; arguments: string }[] };
  usage?: CompletionUsage;
}

export interface LlmRequestParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  reasoning_effort?: string;
}

export interface LlmUsageTotals {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** A key's script plus what it has seen: request count, rule uses and the request records. */
export class KeyState {
  script: LlmScript;
  requestCount = 0;
  ruleUses: number[] = [];
  readonly records: LlmRequestRecord[] = [];

  constructor(script: LlmScriptInput) {
    this.script = LlmScript.parse(script);
  }

  /** Replaces the script and restarts its counters; the records stay. */
  setScript(script: LlmScriptInput): void {
    this.script = LlmScript.parse(script);
    this.requestCount = 0;
    this.ruleUses = [];
  }

  reset(): void {
    this.requestCount = 0;
    this.ruleUses = [];
    this.records.length = 0;
  }

  usageTotals(): LlmUsageTotals {
    const totals: LlmUsageTotals = {
      requests: this.records.length,
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
    };
    for (const record of this.records) {
      if (!record.usage) continue;
      totals.prompt_tokens += record.usage.prompt_tokens;
      totals.completion_tokens += record.usage.completion_tokens;
      totals.total_tokens += record.usage.total_tokens;
    }
    return totals;
  }
}
