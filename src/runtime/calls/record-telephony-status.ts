import { and, eq, isNull, lt, ne, or } from 'drizzle-orm';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import { publishCallUpdate } from '../live-events.js';
import { findCallBySid } from './find-call.js';

/** Twilio's final call states; the call is over on the phone network once one arrives. */
const FINAL = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/**
 * A Twilio status callback: stores the telephony status, and the network's duration for a call
 * the engine never timed. A call still ringing when the network says it is over never got its
 * media: it fails (`no_media`). A call in progress is left to its engine, which sees the line end.
 * Callbacks are applied once, in order: one whose SequenceNumber is not above the last applied (a
 * replay, or one overtaken by a later one) changes and appends nothing; without a SequenceNumber, a
 * repeat of the current status is ignored the same way.
 */
export async function recordTelephonyStatus(
  deps: Deps,
  input: { callSid: string; status: string; durationS: number | undefined; sequence?: number },
): Promise<boolean> {
  const call = await findCallBySid(deps, input.callSid);
  if (!call) return false;
  const now = deps.now();
  const c = tables.calls;
  const applied = await withTenant(deps.db, call.tenantId, async (tx) => {
    const fresh =
      input.sequence === undefined
        ? or(isNull(c.telephonyStatus), ne(c.telephonyStatus, input.status))
        : or(isNull(c.statusCallbackSequence), lt(c.statusCallbackSequence, input.sequence));
    // One conditional update claims the callback, so concurrent replays cannot both pass.
    const claimed = await tx
      .update(c)
      .set({
        telephonyStatus: input.status,
        ...(input.sequence === undefined ? {} : { statusCallbackSequence: input.sequence }),
      })
      .where(and(eq(c.id, call.id), fresh))
      .returning({ id: c.id });
    if (claimed.length === 0) return false;
    if (input.durationS !== undefined) {
      await tx
        .update(c)
        .set({ durationMs: Math.round(input.durationS * 1000) })
        .where(and(eq(c.id, call.id), isNull(c.durationMs)));
    }
    if (FINAL.has(input.status)) {
      await tx
        .update(c)
        .set({ status: 'failed', endReason: 'no_media', endedAt: now })
        .where(and(eq(c.id, call.id), eq(c.status, 'ringing')));
    }
    await tx.insert(tables.callEvents).values({
      tenantId: call.tenantId,
      callId: call.id,
      type: 'telephony_status',
      at: now,
      data: {
        status: input.status,
        ...(input.durationS === undefined ? {} : { durationS: input.durationS }),
        ...(input.sequence === undefined ? {} : { sequence: input.sequence }),
      },
    });
    return true;
  });
  if (!applied) return true;
  await publishCallUpdate(deps.store, {
    callId: call.id,
    tenantId: call.tenantId,
    type: 'telephony_status',
    at: now.toISOString(),
    data: { status: input.status },
  });
  return true;
}
