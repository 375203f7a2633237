import { eq } from 'drizzle-orm';
import { recordAudit } from '../../audit/index.js';
import { type Tx, tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import type { TenantBranding, UpdateBrandingInput } from './branding-schemas.js';

export type BrandingRow = typeof tables.tenantBranding.$inferSelect;

/** Where the portal loads the logo: the digest in the query makes each logo its own cacheable URL. */
export function logoUrl(tenantId: string, sha256: string): string {
  return `/api/tenants/${tenantId}/branding/logo?v=${sha256.slice(0, 16)}`;
}

export function toBranding(
  tenant: { id: string; name: string },
  row: BrandingRow | undefined,
): TenantBranding {
  return {
    tenantId: tenant.id,
    tenantName: tenant.name,
    displayName: row?.displayName ?? null,
    accentColor: row?.accentColor ?? null,
    logo:
      row?.logoKey && row.logoContentType && row.logoSha256
        ? {
            contentType: row.logoContentType,
            sizeBytes: row.logoSizeBytes ?? 0,
            url: logoUrl(tenant.id, row.logoSha256),
          }
        : null,
    updatedAt: row?.updatedAt ?? null,
  };
}

/** The tenant (locked when `forUpdate`) and its branding row, inside a tenant transaction. */
export async function loadBranding(tx: Tx, tenantId: string, forUpdate = false) {
  const tenantQuery = tx
    .select({ id: tables.tenants.id, name: tables.tenants.name })
    .from(tables.tenants)
    .where(eq(tables.tenants.id, tenantId));
  const [tenant] = forUpdate ? await tenantQuery.for('update') : await tenantQuery;
  if (!tenant) throw new AppError('TENANT_NOT_FOUND', 'tenant not found');
  const [row] = await tx
    .select()
    .from(tables.tenantBranding)
    .where(eq(tables.tenantBranding.tenantId, tenantId));
  return { tenant, row };
}

export async function getBranding(deps: Deps, tenantId: string): Promise<TenantBranding> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const { tenant, row } = await loadBranding(tx, tenantId);
    return toBranding(tenant, row);
  });
}

/** Replaces the display name and accent colour (left out or null: back to the default); the logo stays. */
export async function updateBranding(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  input: UpdateBrandingInput,
): Promise<TenantBranding> {
  const values = {
    displayName: input.displayName?.trim() || null,
    accentColor: input.accentColor?.toLowerCase() ?? null,
  };
  return withTenant(deps.db, tenantId, async (tx) => {
    const { tenant, row: before } = await loadBranding(tx, tenantId, true);
    const [after] = await tx
      .insert(tables.tenantBranding)
      .values({ tenantId, ...values, updatedBy: actor.id, updatedAt: deps.now() })
      .onConflictDoUpdate({
        target: tables.tenantBranding.tenantId,
        set: { ...values, updatedBy: actor.id, updatedAt: deps.now() },
      })
      .returning();
    await recordAudit(tx, actor, {
      tenantId,
      action: 'branding.update',
      targetType: 'tenant',
      targetId: tenantId,
      summary: {
        before: { displayName: before?.displayName ?? null, accentColor: before?.accentColor ?? null },
        after: values,
      },
    });
    return toBranding(tenant, after);
  });
}
