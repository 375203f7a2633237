import { eq } from 'drizzle-orm';
import { keysetPage, tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Page, PageInput } from '../../lib/pagination.js';
import { findConnection, type N8nConnection, toConnectionView } from './connection-row.js';

export async function listN8nConnections(
  deps: Deps,
  tenantId: string,
  page: PageInput,
): Promise<Page<N8nConnection>> {
  const c = tables.n8nConnections;
  return withTenant(deps.db, tenantId, async (tx) => {
    const result = await keysetPage(tx.select().from(c).$dynamic(), c.id, page, eq(c.tenantId, tenantId));
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
