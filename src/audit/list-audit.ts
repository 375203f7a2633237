import { eq } from 'drizzle-orm';
import {
  type CrossTenantAccess,
  keysetPage,
  type Tx,
  tables,
  withAllTenants,
  withTenant,
} from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { PageInput } from '../lib/pagination.js';

export interface ListAuditInput extends PageInput {
  tenantId?: string;
  action?: string;
}

export async function listAudit(deps: Deps, access: CrossTenantAccess, input: ListAuditInput) {
  const a = tables.auditLog;
  const query = (tx: Tx) =>
    keysetPage(
      tx.select().from(a).$dynamic(),
      a.id,
      input,
      input.tenantId ? eq(a.tenantId, input.tenantId) : undefined,
      input.action ? eq(a.action, input.action) : undefined,
    );
  return input.tenantId
    ? withTenant(deps.db, input.tenantId, query)
    : withAllTenants(deps.db, access, deps.crossTenantLog, query);
}
