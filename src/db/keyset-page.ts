import { and, desc, lt, type SQL } from 'drizzle-orm';
import type { PgColumn, PgSelect } from 'drizzle-orm/pg-core';
import { type Page, type PageInput, toPage } from '../lib/pagination.js';

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
