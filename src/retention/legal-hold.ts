import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/index.js';
import { tables, tenantRowFinder, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { Actor } from '../lib/actor.js';
import { AppError } from '../lib/errors.js';

export const HOLD_REASON_MIN = 3;
export const HOLD_REASON_MAX = 500;
// Printable text on one line: no control characters (C0, DEL, C1) and no bidi overrides.
const UNSAFE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

export interface LegalHoldState {
  callId: string;
  tenantId: string;
  legalHold: boolean;
  reason: string | null;
  heldAt: Date | null;
  heldBy: string | null;
  contentDeletedAt: Date | null;
}

/** The reason as stored: trimmed, 3–500 characters of printable single-line text. */
export function normalizeHoldReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length < HOLD_REASON_MIN || trimmed.length > HOLD_REASON_MAX || UNSAFE.test(trimmed)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `reason must be ${HOLD_REASON_MIN}–${HOLD_REASON_MAX} characters of single-line text`,
    );
  }
  return trimmed;
}

const findCall = tenantRowFinder(tables.calls, () => new AppError('CALL_NOT_FOUND', 'call not found'));

function stateOf(call: typeof tables.calls.$inferSelect): LegalHoldState {
  return {
    callId: call.id,
    tenantId: call.tenantId,
    legalHold: call.legalHold,
    reason: call.legalHoldReason,
    heldAt: call.legalHoldAt,
    heldBy: call.legalHoldBy,
    contentDeletedAt: call.contentDeletedAt,
  };
}

/**
 * Puts a call on legal hold: no retention run deletes its content while the hold lasts. Refused
 * while a run is part-way through deleting the call's content (it finishes, then the hold applies
 * to what is left: the call row and metrics).
 */
export async function placeLegalHold(
  deps: Pick<Deps, 'db' | 'now'>,
  actor: Actor,
  tenantId: string,
  callId: string,
  reason: string,
): Promise<LegalHoldState> {
  const why = normalizeHoldReason(reason);
  return withTenant(deps.db, tenantId, async (tx) => {
    const call = await findCall(tx, tenantId, callId, true);
    if (call.legalHold) throw new AppError('CONFLICT', 'the call is already on legal hold');
    const [pending] = await tx
      .select({ callId: tables.retentionPending.callId })
      .from(tables.retentionPending)
      .where(eq(tables.retentionPending.callId, callId));
    if (pending) {
      throw new AppError(
        'CONFLICT',
        "a retention run is deleting this call's content; try again when the run has finished",
      );
    }
    const [after] = await tx
      .update(tables.calls)
      .set({ legalHold: true, legalHoldReason: why, legalHoldAt: deps.now(), legalHoldBy: actor.id })
      .where(eq(tables.calls.id, callId))
      .returning();
    await recordAudit(tx, actor, {
      tenantId,
      action: 'call.legal_hold.place',
      targetType: 'call',
      targetId: callId,
      summary: { reason: why, before: { legalHold: false }, after: { legalHold: true } },
    });
    return stateOf(after!);
  });
}

/** Releases a hold; normal retention applies again from the next run (an expired call goes then). */
export async function releaseLegalHold(
  deps: Pick<Deps, 'db' | 'now'>,
  actor: Actor,
  tenantId: string,
  callId: string,
  reason: string,
): Promise<LegalHoldState> {
  const why = normalizeHoldReason(reason);
  return withTenant(deps.db, tenantId, async (tx) => {
    const call = await findCall(tx, tenantId, callId, true);
    if (!call.legalHold) throw new AppError('CONFLICT', 'the call is not on legal hold');
    const [after] = await tx
      .update(tables.calls)
      .set({ legalHold: false, legalHoldReason: null, legalHoldAt: null, legalHoldBy: null })
      .where(eq(tables.calls.id, callId))
      .returning();
    await recordAudit(tx, actor, {
      tenantId,
      action: 'call.legal_hold.release',
      targetType: 'call',
      targetId: callId,
      summary: {
        reason: why,
        before: {
          legalHold: true,
          reason: call.legalHoldReason,
          heldAt: call.legalHoldAt?.toISOString() ?? null,
          heldBy: call.legalHoldBy,
        },
        after: { legalHold: false },
      },
    });
    return stateOf(after!);
  });
}
