import { eq } from 'drizzle-orm';
import { changeSummary, recordAudit } from '../../audit/index.js';
import { tables, withTenant } from '../../db/index.js';
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
  return withTenant(deps.db, tenantId, async (tx) => {
    const before = await findNumber(tx, tenantId, numberId, true);
    await requireAssignableAgent(tx, tenantId, input.agentId);
    const [after] = await tx
      .update(tables.phoneNumbers)
      .set({ ...input, updatedAt: deps.now() })
      .where(eq(tables.phoneNumbers.id, numberId))
      .returning();
    await recordAudit(tx, actor, {
      tenantId,
      action:
        input.agentId !== undefined && input.agentId !== before.agentId
          ? 'phone_number.assign'
          : 'phone_number.update',
      targetType: 'phone_number',
      targetId: numberId,
      summary: changeSummary(input, before, after!),
    });
    return after!;
  });
}
