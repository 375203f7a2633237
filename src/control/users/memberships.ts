import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { recordAudit } from '../../audit/index.js';
import { addMembership, publicUserColumns } from '../../auth/index.js';
import { type CrossTenantAccess, tables, withAllTenants, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import type { Page, PageInput } from '../../lib/pagination.js';
import { findUser, type User } from './user-row.js';

export interface Membership {
  userId: string;
  tenantId: string;
  role: 'client_viewer';
  createdAt: Date;
}

/** The tenants a user belongs to (a cross-tenant read, on the audited path). */
export async function listUserMemberships(
  deps: Deps,
  access: CrossTenantAccess,
  userId: string,
): Promise<Membership[]> {
  await findUser(deps.db, userId);
  return withAllTenants(deps.db, access, deps.crossTenantLog, (tx) =>
    tx
      .select()
      .from(tables.memberships)
      .where(eq(tables.memberships.userId, userId))
      .orderBy(asc(tables.memberships.tenantId)),
  );
}

/** A tenant's members with their role, by user id. */
export async function listTenantMembers(
  deps: Deps,
  tenantId: string,
  page: PageInput,
): Promise<Page<User & { role: Membership['role'] }>> {
  const m = tables.memberships;
  const rows = await withTenant(deps.db, tenantId, (tx) =>
    tx
      .select({ userId: m.userId, role: m.role })
      .from(m)
      .where(and(eq(m.tenantId, tenantId), page.cursor ? gt(m.userId, page.cursor) : undefined))
      .orderBy(asc(m.userId))
      .limit(page.limit + 1),
  );
  const members = rows.slice(0, page.limit);
  // The users themselves are out of the tenant scope's reach (0003_database_roles): read on the identity path.
  const users =
    members.length === 0
      ? []
      : await deps.db
          .select(publicUserColumns)
          .from(tables.users)
          .where(
            inArray(
              tables.users.id,
              members.map((r) => r.userId),
            ),
          );
  const byId = new Map(users.map((u) => [u.id, u]));
  const items = members.flatMap((r) => {
    const user = byId.get(r.userId);
    return user ? [{ ...user, role: r.role }] : [];
  });
  return { items, nextCursor: rows.length > page.limit ? (members.at(-1)?.userId ?? null) : null };
}

/** Takes a user's access to a tenant away; it applies from their next request. */
export async function removeMembership(
  deps: Deps,
  actor: Actor,
  tenantId: string,
  userId: string,
): Promise<void> {
  await withTenant(deps.db, tenantId, async (tx) => {
    const m = tables.memberships;
    const [removed] = await tx
      .delete(m)
      .where(and(eq(m.tenantId, tenantId), eq(m.userId, userId)))
      .returning();
    if (!removed) throw new AppError('NOT_FOUND', 'the user is not a member of this tenant');
    await recordAudit(tx, actor, {
      tenantId,
      action: 'membership.remove',
      targetType: 'user',
      targetId: userId,
      summary: { before: { role: removed.role } },
    });
  });
}

/** Gives an existing user a role in an existing tenant (or changes it). */
export async function addTenantMember(
  deps: Deps,
  actor: Actor,
  input: { tenantId: string; userId: string; role: Membership['role'] },
): Promise<void> {
  await findUser(deps.db, input.userId);
  const [tenant] = await withTenant(deps.db, input.tenantId, (tx) =>
    tx.select({ id: tables.tenants.id }).from(tables.tenants).where(eq(tables.tenants.id, input.tenantId)),
  );
  if (!tenant) throw new AppError('TENANT_NOT_FOUND', 'tenant not found');
  await addMembership(deps, actor, input);
}
