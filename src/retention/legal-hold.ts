import { eq } from 'drizzle-orm';
import { type AuditedUpdate, updateAudited } from '../audit/index.js';
import { type Tx, tables, tenantRowFinder, withLockedRow } from '../db/index.js';
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

type HoldDeps = Pick<Deps, 'db' | 'now'>;

interface HoldChange {
  tx: Tx;
  deps: HoldDeps;
  actor: Actor;
  call: typeof tables.calls.$inferSelect;
  /** The reason as stored. */
  why: string;
}

/**
 * A change of a call's hold: checks the reason, locks the call in its tenant's transaction, lets
 * `change` refuse or name the update, writes it with its audit entry and answers the new state.
 */
function legalHoldChange(
  change: (hold: HoldChange) => Promise<Omit<AuditedUpdate<typeof tables.calls>, 'tenantId' | 'targetType'>>,
) {
  return (
    deps: HoldDeps,
    actor: Actor,
    tenantId: string,
    callId: string,
    reason: string,
  ): Promise<LegalHoldState> => {
    const why = normalizeHoldReason(reason);
    return withLockedRow(deps.db, findCall, tenantId, callId, async (tx, call) => {
      const update = await change({ tx, deps, actor, call, why });
      return stateOf(
        await updateAudited(tx, actor, tables.calls, callId, { tenantId, targetType: 'call', ...update }),
      );
    });
  };
}

/**
 * Puts a call on legal hold: no retention run deletes its content while the hold lasts. Refused
 * while a run is part-way through deleting the call's content (it finishes, then the hold applies
 * to what is left: the call row and metrics).
 */
export const placeLegalHold = legalHoldChange(async ({ tx, deps, actor, call, why }) => {
  if (call.legalHold) throw new AppError('CONFLICT', 'the call is already on legal hold');
  const [pending] = await tx
    .select({ callId: tables.retentionPending.callId })
    .from(tables.retentionPending)
    .where(eq(tables.retentionPending.callId, call.id));
  if (pending) {
    throw new AppError(
      'CONFLICT',
      "a retention run is deleting this call's content; try again when the run has finished",
    );
  }
  return {
    action: 'call.legal_hold.place',
    set: { legalHold: true, legalHoldReason: why, legalHoldAt: deps.now(), legalHoldBy: actor.id },
    summary: { reason: why, before: { legalHold: false }, after: { legalHold: true } },
  };
});

/** Releases a hold; normal retention applies again from the next run (an expired call goes then). */
export const releaseLegalHold = legalHoldChange(async ({ call, why }) => {
  if (!call.legalHold) throw new AppError('CONFLICT', 'the call is not on legal hold');
  return {
    action: 'call.legal_hold.release',
    set: { legalHold: false, legalHoldReason: null, legalHoldAt: null, legalHoldBy: null },
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
  };
});
