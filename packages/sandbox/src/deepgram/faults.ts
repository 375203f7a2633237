import { z } from 'zod';

/**
 * Faults for one API key. Connection-scoped knobs count the key's WebSocket connections
 * (1-based, rejected ones included) and apply to connections 1..firstConnections, or to every
 * connection when firstConnections is absent.
 */
export const DeepgramFaults = z
  .object({
    /** Answer the upgrade with 401 INVALID_AUTH, as Deepgram does for a bad key. */
    rejectAuth: z.boolean().default(false),
    /** Answer the upgrade with another failure: 402 (no credits), 429 (concurrency), 5xx. */
    rejectUpgrade: z
      .object({
        status: z.union([z.literal(402), z.literal(429), z.literal(500), z.literal(503)]).default(429),
        firstConnections: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    /**
     * Lose the socket: `afterMs` of wall-clock time after the upgrade, or right after the
     * `afterUtterances`-th final (is_final) transcript was sent. `abrupt` destroys the TCP socket
     * with no close frame; `error` closes with 1011 `NET-0000`.
     */
    drop: z
      .object({
        afterMs: z.number().int().min(0).optional(),
        afterUtterances: z.number().int().min(1).optional(),
        mode: z.enum(['abrupt', 'error']).default('abrupt'),
        firstConnections: z.number().int().min(1).optional(),
      })
      .strict()
      .refine((d) => d.afterMs !== undefined || d.afterUtterances !== undefined, {
        message: 'drop needs afterMs or afterUtterances',
      })
      .optional(),
    /**
     * Background noise: the endpoint never fires, so finals carry `speech_final: false` and only
     * `UtteranceEnd` (with `utterance_end_ms`) marks the end of what the caller said.
     */
    noEndpoint: z.boolean().default(false),
    /**
     * Hold every server message back by this many ms (order is kept); the emulator's
     * `resultDelayMs` (its typical latency) when absent.
     */
    resultDelayMs: z.number().int().min(0).optional(),
  })
  .strict();
export type DeepgramFaults = z.infer<typeof DeepgramFaults>;
export type DeepgramFaultsInput = z.input<typeof DeepgramFaults>;
