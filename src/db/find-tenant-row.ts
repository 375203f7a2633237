import { and, eq, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { AppError } from '../lib/errors.js';
import type { AppDb, Tx } from './client.js';
import { tenants } from './schema/index.js';
import { withTenant } from './scope.js';

type IdTable = PgTable & { id: PgColumn };
type TenantTable = IdTable & { tenantId: PgColumn };

/** A finder of one row by the tenant and its id, as `tenantRowFinder` builds it. */
export type TenantRowFinder<Row> = (tx: Tx, tenantId: string, id: string, lock?: boolean) => Promise<Row>;

async function findRow<T extends IdTable>(
  tx: Tx,
  table: T,
  where: SQL | undefined,
  lock: boolean,
  notFound: () => Error,
): Promise<T['$inferSelect']> {
  const query = tx
    .select()
    .from(table as PgTable)
    .where(where)
    .$dynamic();
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound();
  return row as T['$inferSelect'];
}

/**
 * The finder of a tenant's rows of one table by id: locks the row for update when the caller is
 * about to change it, and throws `notFound()` when the tenant has no such row.
 */
export function tenantRowFinder<T extends TenantTable>(
  table: T,
  notFound: () => Error,
): TenantRowFinder<T['$inferSelect']> {
  return (tx, tenantId, id, lock = false) =>
    findRow(tx, table, and(eq(table.tenantId, tenantId), eq(table.id, id)), lock, notFound);
}

/** The tenant itself, locked for update when asked; TENANT_NOT_FOUND otherwise. */
export function findTenant(tx: Tx, tenantId: string, lock = false): Promise<typeof tenants.$inferSelect> {
  return findRow(
    tx,
    tenants,
    eq(tenants.id, tenantId),
    lock,
    () => new AppError('TENANT_NOT_FOUND', 'tenant not found'),
  );
}

/**
 * Runs `change` in the tenant's transaction with the row `id` found and locked by `find` (its
 * not-found error otherwise): the opening of every use-case that changes one of a tenant's rows.
 */
export function withLockedRow<Row, T>(
  db: AppDb,
  find: (tx: Tx, tenantId: string, id: string, lock: true) => Promise<Row>,
  tenantId: string,
  id: string,
  change: (tx: Tx, row: Row) => Promise<T>,
): Promise<T> {
  return withTenant(db, tenantId, async (tx) => change(tx, await find(tx, tenantId, id, true)));
}
