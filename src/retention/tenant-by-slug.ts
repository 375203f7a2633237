import { eq } from 'drizzle-orm';
import { type CrossTenantAccess, tables, withAllTenants } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { AppError } from '../lib/errors.js';

/** The tenant a CLI `--tenant slug` names. */
export async function findTenantIdBySlug(
  deps: Deps,
  access: CrossTenantAccess,
  slug: string,
): Promise<string> {
  const [tenant] = await withAllTenants(deps.db, access, deps.crossTenantLog, (tx) =>
    tx.select({ id: tables.tenants.id }).from(tables.tenants).where(eq(tables.tenants.slug, slug)),
  );
  if (!tenant) throw new AppError('TENANT_NOT_FOUND', `no tenant with slug "${slug}"`);
  return tenant.id;
}
