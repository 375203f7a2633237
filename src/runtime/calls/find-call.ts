import { eq } from 'drizzle-orm';
import { tables, withAllTenants, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { CallRow } from './call-row.js';

/**
 * The call Twilio knows by this CallSid, in whichever tenant. Telephony callbacks arrive before
 * anything tells us the tenant, so this reads across tenants on the audited path.
 */
export async function findCallBySid(
  deps: Pick<Deps, 'db' | 'crossTenantLog'>,
  callSid: string,
): Promise<CallRow | undefined> {
  const [row] = await withAllTenants(
    deps.db,
    { actor: 'telephony', purpose: 'call.find_by_sid' },
    deps.crossTenantLog,
    (tx) => tx.select().from(tables.calls).where(eq(tables.calls.twilioCallSid, callSid)).limit(1),
  );
  return row;
}

/** A call by id, across tenants (the media socket names its call; the signed token vouches for it). */
export async function findCallById(
  deps: Pick<Deps, 'db' | 'crossTenantLog'>,
  callId: string,
): Promise<CallRow | undefined> {
  const [row] = await withAllTenants(
    deps.db,
    { actor: 'telephony', purpose: 'call.find_by_id' },
    deps.crossTenantLog,
    (tx) => tx.select().from(tables.calls).where(eq(tables.calls.id, callId)).limit(1),
  );
  return row;
}

export async function getCall(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  callId: string,
): Promise<CallRow | undefined> {
  const [row] = await withTenant(deps.db, tenantId, (tx) =>
    tx.select().from(tables.calls).where(eq(tables.calls.id, callId)).limit(1),
  );
  return row;
}
