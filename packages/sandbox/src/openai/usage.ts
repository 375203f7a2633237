import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { messageText } from './conversation.js';
import type { ChatCompletionRequest } from './request.js';

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

/** Tokens of the text in o200k_base, the encoding of every GPT-4o, GPT-4.1 and GPT-5 model. */
export function countTextTokens(text: string): number {
  return text ? countTokens(text) : 0;
}
const tokens = countTextTokens;

/**
 * Prompt tokens as OpenAI counts them for chat (its cookbook's rule): 3 per message plus 1 for a
 * name, 3 to prime the reply, plus the tool definitions.
 */
export function promptTokens(request: ChatCompletionRequest): number {
  let total = 3;
  for (const message of request.messages) {
    total += 3 + tokens(messageText(message)) + ('name' in message && message.name ? 1 : 0);
    if (message.role === 'assistant') {
      for (const call of message.tool_calls ?? [])
        total += tokens(call.function.name + call.function.arguments);
    }
  }
  if (request.tools?.length) total += tokens(JSON.stringify(request.tools));
  return total;
}

export function completionTokens(
  content: string | null,
  toolCalls: { name: string; arguments: string }[],
): number {
  let total = content ? tokens(content) : 0;
  for (const call of toolCalls) total += 3 + tokens(call.name + call.arguments);
  return Math.max(total, 1);
}

export function makeUsage(prompt: number, completion: number): CompletionUsage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
