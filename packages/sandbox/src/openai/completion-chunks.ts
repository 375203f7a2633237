import type { CompletionUsage } from './usage.js';

/** A finished assistant turn with its ids, ready to be sent streamed or whole. */
export interface CompletionTurn {
  id: string;
  created: number;
  model: string;
  content: string | null;
  toolCalls: { id: string; name: string; arguments: string }[];
  usage: CompletionUsage;
}

const SYSTEM_FINGERPRINT = 'fp_sandbox';
const ARGUMENT_PIECE_CHARS = 8;

/** Splits text into word-sized deltas, keeping the whitespace so they concatenate back exactly. */
export function splitContent(text: string): string[] {
  return text.match(/^\s+|\S+\s*/g) ?? [];
}

export function splitArguments(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += ARGUMENT_PIECE_CHARS)
    pieces.push(text.slice(i, i + ARGUMENT_PIECE_CHARS));
  return pieces;
}

/**
 * The `chat.completion.chunk` events of a streamed turn, in order, without `[DONE]`: a role delta,
 * content deltas, per tool call a header delta then argument fragments, a final empty delta with
 * the finish reason, and the usage-only chunk when asked for.
 */
export function buildChunks(turn: CompletionTurn, includeUsage: boolean): object[] {
  const base = {
    id: turn.id,
    object: 'chat.completion.chunk',
    created: turn.created,
    model: turn.model,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (delta: object, finishReason: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...usageField,
  });
  const chunks: object[] = [];
  const hasText = turn.content !== null;
  const callHeader = (call: CompletionTurn['toolCalls'][number], index: number) => ({
    index,
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: '' },
  });

  if (hasText || turn.toolCalls.length === 0) {
    chunks.push(chunk({ role: 'assistant', content: '', refusal: null }));
    for (const piece of splitContent(turn.content ?? '')) chunks.push(chunk({ content: piece }));
  }
  turn.toolCalls.forEach((call, index) => {
    const header = { tool_calls: [callHeader(call, index)] };
    if (index === 0 && !hasText) chunks.push(chunk({ role: 'assistant', content: null, ...header }));
    else chunks.push(chunk(header));
    for (const piece of splitArguments(call.arguments)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, turn.toolCalls.length > 0 ? 'tool_calls' : 'stop'));
  if (includeUsage) chunks.push({ ...base, choices: [], usage: turn.usage });
  return chunks;
}

/** The non-streaming `chat.completion` body. */
export function buildCompletion(turn: CompletionTurn): object {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: turn.content,
    refusal: null,
    annotations: [],
  };
  if (turn.toolCalls.length > 0) {
    message.tool_calls = turn.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return {
    id: turn.id,
    object: 'chat.completion',
    created: turn.created,
    model: turn.model,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: turn.toolCalls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage: turn.usage,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}
