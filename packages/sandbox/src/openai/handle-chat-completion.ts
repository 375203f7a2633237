import type { ServerResponse } from 'node:http';
import { buildChunks, buildCompletion, type CompletionTurn } from './completion-chunks.js';
import { decideTurn } from './decide-turn.js';
import { invalidRequest, modelNotFound, type OpenAIErrorAnswer, rateLimited, serverError } from './errors.js';
import { isGone, waitWhileConnected } from './http-io.js';
import type { KeyState, LlmRequestParams, LlmRequestRecord } from './key-state.js';
import { checkModelParameters } from './models.js';
import type { ChatCompletionRequest } from './request.js';
import type { LlmFaults } from './script.js';
import { streamChunks } from './stream-turn.js';
import { structuredOutputTurn } from './structured-output.js';
import { completionTokens, countTextTokens, makeUsage, promptTokens } from './usage.js';
import { validateChatRequest } from './validate-request.js';

export interface CompletionContext {
  state: KeyState;
  /** Headers every answer carries (`x-request-id`, rate-limit headers, …). */
  headers: Record<string, string>;
  now: () => number;
  nextId: (prefix: string) => string;
  /** When set, other models answer 404 `model_not_found`. */
  models: readonly string[] | undefined;
  sendError: (answer: OpenAIErrorAnswer) => void;
  /** Typical latency for keys whose faults set none (first token, output speed). */
  latency: LlmLatency;
  /** Waits `ms` (timers by default; tests pass a recorder so nothing really sleeps). */
  delay: ((ms: number) => Promise<void>) | undefined;
}

/** How long a model takes: to its first token, and per token after it. */
export interface LlmLatency {
  firstTokenMs?: number | undefined;
  tokensPerSecond?: number | undefined;
}

/** Answers one authenticated `POST /v1/chat/completions` for a key, faults first. */
export async function handleChatCompletion(
  res: ServerResponse,
  rawBody: string,
  context: CompletionContext,
): Promise<void> {
  const { state, now } = context;
  const n = ++state.requestCount;
  const validation = validateChatRequest(rawBody);
  const request = validation.ok ? validation.request : undefined;
  const record: LlmRequestRecord = {
    n,
    at: now(),
    model: request?.model,
    stream: request?.stream === true,
    messages: request?.messages ?? [],
    tools: request?.tools ?? [],
    params: request ? requestParams(request) : {},
    status: 200,
    outcome: 'completed',
  };
  state.records.push(record);
  const fail = (answer: OpenAIErrorAnswer, outcome: LlmRequestRecord['outcome']) => {
    record.status = answer.status;
    record.outcome = outcome;
    context.sendError(answer);
  };

  const faults = state.script.faults;
  const injected = injectedError(faults, n, request?.model ?? 'gpt-4.1-mini');
  if (injected) return fail(injected.answer, injected.outcome);
  if (!validation.ok) return fail(validation.error, 'invalid_request');
  const valid = validation.request;
  if (context.models && !context.models.includes(valid.model)) {
    return fail(modelNotFound(valid.model), 'invalid_request');
  }
  const unsupported = checkModelParameters(valid);
  if (unsupported) return fail(unsupported, 'invalid_request');

  const structured = structuredOutputTurn(valid);
  if (structured && !structured.ok)
    return fail(invalidRequest(structured.message, structured.param), 'invalid_request');
  const decided = structured?.ok ? structured.turn : decideTurn(state.script, valid, state.ruleUses);
  if (decided.ruleIndex !== undefined) {
    state.ruleUses[decided.ruleIndex] = (state.ruleUses[decided.ruleIndex] ?? 0) + 1;
  }
  const toolCalls = decided.toolCalls.map((call) => ({ id: context.nextId('call_'), ...call }));
  const turn: CompletionTurn = {
    id: context.nextId('chatcmpl-'),
    created: Math.floor(now() / 1000),
    model: valid.model,
    content: decided.content,
    toolCalls,
    usage: makeUsage(promptTokens(valid), completionTokens(decided.content, decided.toolCalls)),
  };
  record.ruleIndex = decided.ruleIndex;
  record.reply = { content: turn.content, toolCalls };
  record.usage = turn.usage;

  const pause = (ms: number): Promise<boolean> =>
    context.delay ? context.delay(ms).then(() => !isGone(res)) : waitWhileConnected(res, ms);
  const startedAt = now();
  const firstTokenMs = faults.firstTokenDelayMs ?? context.latency.firstTokenMs ?? 0;
  if (firstTokenMs > 0 && !(await pause(firstTokenMs))) {
    record.outcome = 'client_closed';
    return;
  }
  const headers = { ...context.headers, 'openai-processing-ms': String(Math.max(0, now() - startedAt)) };
  if (!valid.stream) {
    res.writeHead(200, { ...headers, 'content-type': 'application/json' });
    res.end(JSON.stringify(buildCompletion(turn)));
    return;
  }
  const chunks = buildChunks(turn, valid.stream_options?.include_usage === true);
  record.outcome = await streamChunks(res, headers, chunks, {
    chunkDelayMs: chunkDelay(faults, context.latency),
    pause,
    dropAfterChunks: appliesTo(faults.dropMidStream, n) ? faults.dropMidStream?.afterChunks : undefined,
    errorAfterChunks: appliesTo(faults.midStreamError, n) ? faults.midStreamError?.afterChunks : undefined,
  });
}

function appliesTo(fault: { firstRequests?: number | undefined } | undefined, n: number): boolean {
  return fault !== undefined && (fault.firstRequests === undefined || n <= fault.firstRequests);
}

function injectedError(
  faults: LlmFaults,
  n: number,
  model: string,
): { answer: OpenAIErrorAnswer; outcome: LlmRequestRecord['outcome'] } | undefined {
  const { rateLimit } = faults;
  if (rateLimit && n <= rateLimit.firstRequests) {
    return {
      outcome: 'rate_limited',
      answer: rateLimited({
        kind: rateLimit.kind,
        model,
        retryAfterSeconds: rateLimit.retryAfterSeconds,
        retryAfterMs: rateLimit.retryAfterMs,
      }),
    };
  }
  if (appliesTo(faults.serverError, n) && faults.serverError) {
    return { outcome: 'server_error', answer: serverError(faults.serverError.status) };
  }
  return undefined;
}

/** The sampling and length parameters a request carried (what the capability rules look at). */
function requestParams(request: ChatCompletionRequest): LlmRequestParams {
  const params: LlmRequestParams = {};
  for (const name of [
    'temperature',
    'top_p',
    'max_tokens',
    'max_completion_tokens',
    'reasoning_effort',
  ] as const) {
    const value = request[name];
    if (value !== undefined && value !== null) Object.assign(params, { [name]: value });
  }
  return params;
}

/** The wait before each streamed chunk: a fixed chunkDelayMs, or the chunk's tokens at the output speed. */
function chunkDelay(faults: LlmFaults, latency: LlmLatency): (chunk: object) => number {
  if (faults.chunkDelayMs !== undefined) {
    const fixed = faults.chunkDelayMs;
    return () => fixed;
  }
  const tokensPerSecond = faults.tokensPerSecond ?? latency.tokensPerSecond;
  if (!tokensPerSecond) return () => 0;
  return (chunk) => (Math.max(1, countTextTokens(chunkText(chunk))) * 1000) / tokensPerSecond;
}

/** The text a chunk adds: its content delta or tool-call argument fragments. */
function chunkText(chunk: object): string {
  const delta = (chunk as { choices?: { delta?: Record<string, unknown> }[] }).choices?.[0]?.delta;
  if (!delta) return '';
  const calls = Array.isArray(delta.tool_calls)
    ? (delta.tool_calls as { function?: { arguments?: string } }[])
    : [];
  return `${typeof delta.content === 'string' ? delta.content : ''}${calls.map((c) => c.function?.arguments ?? '').join('')}`;
}
