import { and, eq } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from './client.js';

type TenantTable = PgTable & { id: PgColumn; tenantId: PgColumn };

/**
 * The finder of a tenant's rows of one table by id: locks the row for update when the caller is
 * about to change it, and throws `notFound()` when the tenant has no such row.
 */
export function tenantRowFinder<T extends TenantTable>(table: T, notFound: () => Error) {
  return async (tx: Tx, tenantId: string, id: string, lock = false): Promise<T['$inferSelect']> => {
    const query = tx
      .select()
      .from(table as PgTable)
      .where(and(eq(table.tenantId, tenantId), eq(table.id, id)))
      .$dynamic();
    const [row] = lock ? await query.for('update') : await query;
    if (!row) throw notFound();
    return row as T['$inferSelect'];
  };
}
