import { and, desc, eq, lt } from 'drizzle-orm';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import { type Page, type PageInput, toPage } from '../../lib/pagination.js';
import { findConnection, type N8nConnection, toConnectionView } from './connection-row.js';

export async function listN8nConnections(
  deps: Deps,
  tenantId: string,
  page: PageInput,
): Promise<Page<N8nConnection>> {
  const c = tables.n8nConnections;
  return withTenant(deps.db, tenantId, async (tx) => {
    const rows = await tx
      .select()
      .from(c)
      .where(and(eq(c.tenantId, tenantId), page.cursor ? lt(c.id, page.cursor) : undefined))
      .orderBy(desc(c.id))
      .limit(page.limit + 1);
    const result = toPage(rows, page.limit);
    return { items: result.items.map(toConnectionView), nextCursor: result.nextCursor };
  });
}

export async function getN8nConnection(
  deps: Deps,
  tenantId: string,
  connectionId: string,
): Promise<N8nConnection> {
  return toConnectionView(
    await withTenant(deps.db, tenantId, (tx) => findConnection(tx, tenantId, connectionId)),
  );
}
