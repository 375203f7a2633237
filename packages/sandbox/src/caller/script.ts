import { z } from 'zod';

/** What the agent must have said: a case-insensitive substring, or a regular expression. */
export const AgentSaidMatch = z.union(
  [z.string().min(1), z.object({ regex: z.string().min(1), flags: z.string().optional() }).strict()],
  { error: 'expected a substring or { "regex": "…", "flags"?: "…" }' },
);
export type AgentSaidMatch = z.infer<typeof AgentSaidMatch>;

const timeoutMs = z.number().int().min(1);

/**
 * One step of a simulated caller. Durations are on the call's clock: at `speed` 4 a 1000 ms pause
 * lasts 250 ms of wall time.
 */
export const CallerStep = z.discriminatedUnion('type', [
  /** Speak, and finish when the last frame of it has been sent. */
  z.object({ type: z.literal('say'), text: z.string().min(1) }).strict(),
  /**
   * Wait until the agent has said something matching `agentSaid` (any utterance when absent).
   * Utterances already matched by an earlier step do not count again.
   */
  z
    .object({
      type: z.literal('waitFor'),
      agentSaid: AgentSaidMatch.optional(),
      timeoutMs: timeoutMs.default(10_000),
    })
    .strict(),
  /** Stay silent (the line keeps sending silence frames). */
  z.object({ type: z.literal('pause'), ms: z.number().int().min(0) }).strict(),
  /** Wait for the agent to start speaking, then talk over it `afterAgentStartsMs` later. */
  z
    .object({
      type: z.literal('bargeIn'),
      text: z.string().min(1),
      afterAgentStartsMs: z.number().int().min(0).default(500),
      timeoutMs: timeoutMs.default(10_000),
    })
    .strict(),
  /** Press keys, `gapMs` apart. */
  z
    .object({
      type: z.literal('dtmf'),
      digits: z.string().regex(/^[0-9*#A-D]+$/, 'digits may only hold 0-9, *, # and A-D'),
      gapMs: z.number().int().min(0).default(100),
    })
    .strict(),
  /**
   * The caller hangs up; with `afterAgentStartsMs`, only once the agent has started speaking and
   * talked that long (hanging up in the middle of an answer).
   */
  z
    .object({
      type: z.literal('hangup'),
      afterAgentStartsMs: z.number().int().min(0).optional(),
      timeoutMs: timeoutMs.default(10_000),
    })
    .strict(),
  /** The agent must end the call within `timeoutMs`. */
  z.object({ type: z.literal('waitForHangup'), timeoutMs: timeoutMs.default(15_000) }).strict(),
  /** The agent must not start speaking for `ms`. */
  z.object({ type: z.literal('expectSilence'), ms: z.number().int().min(1) }).strict(),
]);
export type CallerStep = z.infer<typeof CallerStep>;

export const CallerScript = z
  .object({
    from: z.string().min(1).default('+14155550123'),
    /** The number called; the sandbox's default number when absent. */
    to: z.string().min(1).optional(),
    steps: z.array(CallerStep).min(1),
    /**
     * Hang up when the steps are done and the call is still up. When false, runCaller resolves only
     * once the agent ends the call.
     */
    hangupAtEnd: z.boolean().default(true),
  })
  .strict();
export type CallerScript = z.infer<typeof CallerScript>;
export type CallerScriptInput = z.input<typeof CallerScript>;
