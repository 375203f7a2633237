import { changeSummary, recordCreation, updateAudited } from '../../audit/index.js';
import {
  type CrossTenantAccess,
  findTenant,
  keysetPage,
  tables,
  withAllTenants,
  withTenant,
} from '../../db/index.js';
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
      const target = { tenantId: id, targetType: 'tenant', targetId: id };
      await recordCreation(tx, actor, target, { name: tenant!.name, slug: tenant!.slug });
      return tenant!;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError('SLUG_TAKEN', `a tenant with slug "${input.slug}" already exists`);
    throw err;
  }
}

export function getTenant(deps: Deps, tenantId: string): Promise<Tenant> {
  return withTenant(deps.db, tenantId, (tx) => findTenant(tx, tenantId));
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
    const before = await findTenant(tx, tenantId, true);
    return updateAudited(tx, actor, tables.tenants, tenantId, {
      tenantId,
      action:
        input.status && input.status !== before.status
          ? `tenant.${input.status === 'suspended' ? 'suspend' : 'activate'}`
          : 'tenant.update',
      targetType: 'tenant',
      set: { ...input, updatedAt: deps.now() },
      summary: (after) => changeSummary(input, before, after),
    });
  });
}
