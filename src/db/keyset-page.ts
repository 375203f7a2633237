import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { PgColumn, PgSelect, PgTable } from 'drizzle-orm/pg-core';
import { type Page, type PageInput, toPage } from '../lib/pagination.js';
import type { AppDb } from './client.js';
import { withTenant } from './scope.js';

/**
 * One page of a list query (built with `$dynamic()`): the rows that match every filter, newest id
 * first, after `page.cursor`.
 */
export async function keysetPage<Q extends PgSelect & PromiseLike<{ id: string }[]>>(
  query: Q,
  id: PgColumn,
  page: PageInput,
  ...filters: (SQL | undefined)[]
): Promise<Page<Awaited<Q>[number]>> {
  const rows: Awaited<Q> = await query
    .where(and(...filters, page.cursor ? lt(id, page.cursor) : undefined))
    .orderBy(desc(id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/** One page of a tenant's rows of `table` that match every filter, read in the tenant's transaction. */
export function tenantPage<T extends PgTable & { id: PgColumn; tenantId: PgColumn }>(
  db: AppDb,
  table: T,
  tenantId: string,
  page: PageInput,
  ...filters: (SQL | undefined)[]
): Promise<Page<T['$inferSelect']>> {
  type Row = T['$inferSelect'] & { id: string };
  return withTenant(db, tenantId, (tx) => {
    const rows = tx
      .select()
      .from(table as PgTable)
      .$dynamic() as unknown as PgSelect & PromiseLike<Row[]>;
    return keysetPage(rows, table.id, page, eq(table.tenantId, tenantId), ...filters);
  });
}
