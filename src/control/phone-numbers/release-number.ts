import { deleteAudited } from '../../audit/index.js';
import { tables, withLockedRow } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { findNumber, type PhoneNumber } from './number-row.js';

/** Removes a number from the tenant; past calls keep their dialled number. Twilio is not touched. */
export async function releaseNumber(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  numberId: string,
): Promise<PhoneNumber> {
  return withLockedRow(deps.db, findNumber, tenantId, numberId, async (tx, before) => {
    await deleteAudited(tx, actor, tables.phoneNumbers, numberId, {
      tenantId,
      action: 'phone_number.release',
      targetType: 'phone_number',
      summary: { before: { e164: before.e164, agentId: before.agentId, label: before.label } },
    });
    return before;
  });
}
