import { changeSummary, updateAudited } from '../../audit/index.js';
import { tables, withLockedRow } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { findNumber, type PhoneNumber, requireAssignableAgent } from './number-row.js';

export interface UpdateNumberInput {
  /** The agent that answers this number; null leaves it unrouted. */
  agentId?: string | null;
  label?: string | null;
}

/** Routes a number to an agent (at most one) or relabels it. */
export async function updateNumber(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  numberId: string,
  input: UpdateNumberInput,
): Promise<PhoneNumber> {
  return withLockedRow(deps.db, findNumber, tenantId, numberId, async (tx, before) => {
    await requireAssignableAgent(tx, tenantId, input.agentId);
    return updateAudited(tx, actor, tables.phoneNumbers, numberId, {
      tenantId,
      action:
        input.agentId !== undefined && input.agentId !== before.agentId
          ? 'phone_number.assign'
          : 'phone_number.update',
      targetType: 'phone_number',
      set: { ...input, updatedAt: deps.now() },
      summary: (after) => changeSummary(input, before, after),
    });
  });
}
