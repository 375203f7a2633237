import { eq } from 'drizzle-orm';
import { changeSummary, recordAudit } from '../../audit/index.js';
import { type CrossTenantAccess, keysetPage, tables, withAllTenants, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { PageInput } from '../../lib/pagination.js';

export type Tenant = typeof tables.tenants.$inferSelect;

export interface CreateTenantInput {
  name: string;
  slug: string;
  maxConcurrentCalls?: number;
}

export interface UpdateTenantInput {
  name?: string;
  status?: Tenant['status'];
  maxConcurrentCalls?: number;
  /** IANA time zone (e.g. Europe/Berlin) the tenant's KPI days are counted in. */
  timezone?: string;
}

/** Whether `zone` is an IANA time zone name this runtime knows (the database knows the same names). */
export function isTimezone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isUniqueViolation(err: unknown): boolean {
  const cause =
    err instanceof Error && 'cause' in err ? (err.cause as { code?: string } | undefined) : undefined;
  return (err as { code?: string }).code === '23505' || cause?.code === '23505';
}

export async function createTenant(deps: Deps, actor: Actor, input: CreateTenantInput): Promise<Tenant> {
  const id = newId('tenant');
  try {
    return await withTenant(deps.db, id, async (tx) => {
      const [tenant] = await tx
        .insert(tables.tenants)
        .values({ id, name: input.name, slug: input.slug, maxConcurrentCalls: input.maxConcurrentCalls })
        .returning();
      await tx.insert(tables.retentionPolicies).values({ tenantId: id });
      await recordAudit(tx, actor, {
        tenantId: id,
        action: 'tenant.create',
        targetType: 'tenant',
        targetId: id,
        summary: { after: { name: tenant!.name, slug: tenant!.slug } },
      });
      return tenant!;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError('SLUG_TAKEN', `a tenant with slug "${input.slug}" already exists`);
    throw err;
  }
}

export async function getTenant(deps: Deps, tenantId: string): Promise<Tenant> {
  const [tenant] = await withTenant(deps.db, tenantId, (tx) =>
    tx.select().from(tables.tenants).where(eq(tables.tenants.id, tenantId)),
  );
  if (!tenant) throw new AppError('TENANT_NOT_FOUND', 'tenant not found');
  return tenant;
}

export async function listTenants(deps: Deps, access: CrossTenantAccess, page: PageInput) {
  return withAllTenants(deps.db, access, deps.crossTenantLog, (tx) =>
    keysetPage(tx.select().from(tables.tenants).$dynamic(), tables.tenants.id, page),
  );
}

export async function updateTenant(deps: Deps, actor: Actor, tenantId: string, input: UpdateTenantInput) {
  if (input.timezone !== undefined && !isTimezone(input.timezone)) {
    throw new AppError('TIMEZONE_INVALID', `"${input.timezone}" is not an IANA time zone`, {
      field: 'timezone',
    });
  }
  return withTenant(deps.db, tenantId, async (tx) => {
    const [before] = await tx
      .select()
      .from(tables.tenants)
      .where(eq(tables.tenants.id, tenantId))
      .for('update');
    if (!before) throw new AppError('TENANT_NOT_FOUND', 'tenant not found');
    const [after] = await tx
      .update(tables.tenants)
      .set({ ...input, updatedAt: deps.now() })
      .where(eq(tables.tenants.id, tenantId))
      .returning();
    await recordAudit(tx, actor, {
      tenantId,
      action:
        input.status && input.status !== before.status
          ? `tenant.${input.status === 'suspended' ? 'suspend' : 'activate'}`
          : 'tenant.update',
      targetType: 'tenant',
      targetId: tenantId,
      summary: changeSummary(input, before, after!),
    });
    return after!;
  });
}
