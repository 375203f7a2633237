import { recordAudit } from '../../audit/index.js';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { newId } from '../../lib/ids.js';
import { uniqueViolation } from '../db-errors.js';
import { numberTaken, type PhoneNumber, requireAssignableAgent, requireE164 } from './number-row.js';

export interface RegisterNumberInput {
  /** Any common notation; stored as E.164. */
  e164: string;
  label?: string | null;
  agentId?: string | null;
  twilioSid?: string | null;
}

/** Registers a number to the tenant (a number answers for one tenant only), optionally routed to an agent. */
export async function registerNumber(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  input: RegisterNumberInput,
): Promise<PhoneNumber> {
  const e164 = requireE164(input.e164);
  try {
    return await withTenant(deps.db, tenantId, async (tx) => {
      await requireAssignableAgent(tx, tenantId, input.agentId);
      const [row] = await tx
        .insert(tables.phoneNumbers)
        .values({
          id: newId('phoneNumber'),
          tenantId,
          e164,
          label: input.label ?? null,
          agentId: input.agentId ?? null,
          twilioSid: input.twilioSid ?? null,
        })
        .returning();
      await recordAudit(tx, actor, {
        tenantId,
        action: 'phone_number.register',
        targetType: 'phone_number',
        targetId: row!.id,
        summary: { after: { e164, label: row!.label, agentId: row!.agentId, twilioSid: row!.twilioSid } },
      });
      return row!;
    });
  } catch (err) {
    if (uniqueViolation(err) !== undefined) throw numberTaken(e164);
    throw err;
  }
}
