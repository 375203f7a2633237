import { z } from 'zod';

/**
 * Faults for one API key. Request-scoped knobs count the key's requests (HTTP POSTs and /ws3
 * connections together, 1-based, failed ones included) and apply to requests 1..firstRequests, or to
 * every request when firstRequests is absent.
 */
export const RimeFaults = z
  .object({
    /** Answer 401 `invalid api key`, as Rime does for an unknown key. */
    rejectAuth: z.boolean().default(false),
    /** Answer 5xx instead of audio (HTTP), or refuse the /ws3 upgrade with it. */
    serverError: z
      .object({
        status: z.union([z.literal(500), z.literal(502), z.literal(503)]).default(500),
        firstRequests: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    /**
     * Wait this long before the first audio byte of each synthesis (HTTP body / first ws chunk);
     * the emulator's `firstAudioDelayMs` (its typical latency) when absent.
     */
    firstByteDelayMs: z.number().int().min(0).optional(),
    /** Destroy the connection after this many audio bytes, mid-stream. */
    dropMidStream: z
      .object({
        afterBytes: z.number().int().min(0).default(800),
        firstRequests: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type RimeFaults = z.infer<typeof RimeFaults>;
export type RimeFaultsInput = z.input<typeof RimeFaults>;
