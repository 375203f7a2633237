import { eq } from 'drizzle-orm';
import { tables, withAllTenants } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { Principal, Role } from './policy.js';

/** A user's tenant memberships: a read across tenants by design, done on the audited path. */
export async function loadMemberships(
  deps: Deps,
  userId: string,
): Promise<{ tenantId: string; role: Role }[]> {
  return withAllTenants(deps.db, { actor: userId, purpose: 'auth.memberships' }, deps.crossTenantLog, (tx) =>
    tx
      .select({ tenantId: tables.memberships.tenantId, role: tables.memberships.role })
      .from(tables.memberships)
      .where(eq(tables.memberships.userId, userId)),
  );
}

export function describePrincipal(principal: Principal) {
  return principal.kind === 'user'
    ? { kind: principal.kind, id: principal.userId }
    : { kind: principal.kind, id: principal.keyId };
}
