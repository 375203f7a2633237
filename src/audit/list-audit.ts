import { and, desc, eq, lt } from 'drizzle-orm';
import { type CrossTenantAccess, type Tx, tables, withAllTenants, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { type PageInput, toPage } from '../lib/pagination.js';

export interface ListAuditInput extends PageInput {
  tenantId?: string;
  action?: string;
}

export async function listAudit(deps: Deps, access: CrossTenantAccess, input: ListAuditInput) {
  const a = tables.auditLog;
  const query = async (tx: Tx) =>
    toPage(
      await tx
        .select()
        .from(a)
        .where(
          and(
            input.tenantId ? eq(a.tenantId, input.tenantId) : undefined,
            input.action ? eq(a.action, input.action) : undefined,
            input.cursor ? lt(a.id, input.cursor) : undefined,
          ),
        )
        .orderBy(desc(a.id))
        .limit(input.limit + 1),
      input.limit,
    );
  return input.tenantId
    ? withTenant(deps.db, input.tenantId, query)
    : withAllTenants(deps.db, access, deps.crossTenantLog, query);
}
