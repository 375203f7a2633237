import type { ToolOutcome } from './types.js';

/** What the LLM receives as the tool message: the result, or the error it can act on. */
export function outcomeForModel(outcome: ToolOutcome): unknown {
  if (outcome.ok) return outcome.result;
  const { code, message, retryable, issues } = outcome.error;
  return { error: { code, message, retryable, ...(issues ? { issues } : {}) } };
}
