import { type AnyPgColumn, foreignKey, text, timestamp, unique } from 'drizzle-orm/pg-core';

export const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
export const tenantId = () => text('tenant_id').notNull();

interface TenantScoped {
  tenantId: AnyPgColumn;
  id: AnyPgColumn;
}

// References between tenant tables are (tenant_id, id) pairs, so a row can only point at its own
// tenant's parent (0003_database_roles). Where the reference is nullable, the SQL narrows
// ON DELETE SET NULL to the reference column (`SET NULL (agent_id)`), which drizzle cannot express:
// tenant_id is never nulled.

/** The (tenant_id, id) key that other tables' same-tenant references point at. */
export const tenantScopedKey = (table: string, t: TenantScoped) =>
  unique(`${table}_tenant_id_id_unique`).on(t.tenantId, t.id);

/** A row's reference to a parent row of the same tenant, through the parent's tenantScopedKey. */
export const sameTenantReference = (
  name: string,
  t: { tenantId: AnyPgColumn },
  column: AnyPgColumn,
  parent: TenantScoped,
  onDelete: 'cascade' | 'set null' | 'restrict',
) =>
  foreignKey({ name, columns: [t.tenantId, column], foreignColumns: [parent.tenantId, parent.id] }).onDelete(
    onDelete,
  );
