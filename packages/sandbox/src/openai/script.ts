import { z } from 'zod';

/**
 * Scripted LLM behaviour for the OpenAI emulator: plain data, so scenarios can be stored and
 * composed. Rules (`{ when, respond }`) are tried in order; the first whose `when` matches answers.
 */

/** A tool result condition: the trailing tool messages include a result for tool `name`. */
export const LlmToolResultMatch = z
  .object({
    name: z.string().min(1),
    /** Case-insensitive substring of the tool result content. */
    contains: z.string().optional(),
    /** Case-insensitive regular expression tested against the tool result content. */
    matches: z.string().optional(),
    /**
     * `ok` matches a result that is not an error, `error` one that is (`{"error": …}`, what the
     * Automation Gateway hands the model when a tool fails), whatever the workflow's own fields.
     */
    outcome: z.enum(['ok', 'error']).optional(),
  })
  .strict();
export type LlmToolResultMatch = z.infer<typeof LlmToolResultMatch>;

/**
 * Every condition present must hold. `userSays`/`userMatches` only match when the last message is
 * a user message, and `toolResult` only when the last message is a tool message, so a rule that
 * triggers a tool call does not fire again when that tool's result comes back.
 */
export const LlmWhen = z
  .object({
    always: z.literal(true).optional(),
    /** No user message yet: the greeting turn. */
    firstTurn: z.literal(true).optional(),
    /** Case-insensitive substring of the last user message; with a list, any one of them. */
    userSays: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** Case-insensitive regular expression tested against the last user message. */
    userMatches: z.string().optional(),
    toolResult: LlmToolResultMatch.optional(),
  })
  .strict();
export type LlmWhen = z.infer<typeof LlmWhen>;

/** String values in `arguments` may hold `{{…}}` templates, rendered like `replyFromTool`. */
export const LlmToolCall = z
  .object({
    name: z.string().min(1),
    arguments: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type LlmToolCall = z.infer<typeof LlmToolCall>;

/**
 * `replyFromTool` interpolates `{{path.to.field}}` from the matched tool result's JSON (the first
 * trailing tool result when the rule has no `toolResult` condition); `{{$user}}` is the last user
 * message, `{{$result}}` the raw tool result text and `{{$fields}}` the result read out field by
 * field (`slot: 10:00, confirmation: ABC`), which works for any workflow's answer. A missing field
 * renders as an empty string. `reply` and tool-call arguments are rendered the same way.
 */
export const LlmAnswer = z.union([
  z.object({ reply: z.string() }).strict(),
  z.object({ replyFromTool: z.string() }).strict(),
  z.object({ toolCall: LlmToolCall, reply: z.string().optional() }).strict(),
  z.object({ toolCalls: z.array(LlmToolCall).min(1), reply: z.string().optional() }).strict(),
]);
export type LlmAnswer = z.infer<typeof LlmAnswer>;

export const LlmRule = z
  .object({
    when: LlmWhen,
    respond: LlmAnswer,
    /** The rule fires at most this many times per API key, then is skipped. */
    times: z.number().int().min(1).optional(),
  })
  .strict();
export type LlmRule = z.infer<typeof LlmRule>;

/**
 * Faults, counted per API key on the request number n (1-based, every request counts, including
 * the faulted ones). Precedence: rateLimit, then serverError, then the stream faults.
 */
export const LlmFaults = z
  .object({
    /** 429 for requests 1..firstRequests. */
    rateLimit: z
      .object({
        firstRequests: z.number().int().min(1),
        retryAfterSeconds: z.number().min(0).default(1),
        /** Also send `retry-after-ms` (the SDK prefers it over `retry-after`). */
        retryAfterMs: z.number().min(0).optional(),
        /** `quota` answers `insufficient_quota`, which a retry does not fix. */
        kind: z.enum(['rate', 'quota']).default('rate'),
      })
      .strict()
      .optional(),
    /** 5xx for requests 1..firstRequests, or for every request when firstRequests is absent. */
    serverError: z
      .object({
        status: z.union([z.literal(500), z.literal(502), z.literal(503)]).default(500),
        firstRequests: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Delay before the first byte of the response (streaming and not). */
    firstTokenDelayMs: z.number().int().min(0).optional(),
    /** Delay between streamed chunks. */
    chunkDelayMs: z.number().int().min(0).optional(),
    /** Output speed: each streamed chunk waits its tokens ÷ this many seconds (instead of chunkDelayMs). */
    tokensPerSecond: z.number().positive().optional(),
    /** Destroy the socket after this many `data:` events, before `[DONE]` (streaming only). */
    dropMidStream: z
      .object({
        afterChunks: z.number().int().min(0).default(2),
        /** Only requests 1..firstRequests; every request when absent. */
        firstRequests: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Send `data: {"error":{…}}` with status 200 after this many chunks (streaming only). */
    midStreamError: z
      .object({
        afterChunks: z.number().int().min(0).default(2),
        firstRequests: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type LlmFaults = z.infer<typeof LlmFaults>;
export type LlmFaultsInput = z.input<typeof LlmFaults>;

export const LlmScript = z
  .object({
    rules: z.array(LlmRule).default([]),
    /**
     * Answer when no rule matches. When the conversation ends with a tool result, the result is
     * read out instead (its fields, or "Sorry, that did not work: <message>" for an error).
     */
    defaultReply: z.string().default("Sorry, I didn't catch that."),
    faults: LlmFaults.default({}),
  })
  .strict();
export type LlmScript = z.infer<typeof LlmScript>;
/** What a scenario file holds before defaults are applied. */
export type LlmScriptInput = z.input<typeof LlmScript>;
