import { eq, type SQL } from 'drizzle-orm';
import { tables, withAllTenants, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { CallRow } from './call-row.js';

/** The first call matching `where`, in whichever tenant, read on the audited cross-tenant path. */
async function findCallInAnyTenant(
  deps: Pick<Deps, 'db' | 'crossTenantLog'>,
  purpose: string,
  where: SQL,
): Promise<CallRow | undefined> {
  const [row] = await withAllTenants(deps.db, { actor: 'telephony', purpose }, deps.crossTenantLog, (tx) =>
    tx.select().from(tables.calls).where(where).limit(1),
  );
  return row;
}

/**
 * The call Twilio knows by this CallSid, in whichever tenant. Telephony callbacks arrive before
 * anything tells us the tenant, so this reads across tenants.
 */
export function findCallBySid(deps: Pick<Deps, 'db' | 'crossTenantLog'>, callSid: string) {
  return findCallInAnyTenant(deps, 'call.find_by_sid', eq(tables.calls.twilioCallSid, callSid));
}

/** A call by id, across tenants (the media socket names its call; the signed token vouches for it). */
export function findCallById(deps: Pick<Deps, 'db' | 'crossTenantLog'>, callId: string) {
  return findCallInAnyTenant(deps, 'call.find_by_id', eq(tables.calls.id, callId));
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
