import { tables, tenantPage, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Page, PageInput } from '../../lib/pagination.js';
import { findConnection, type N8nConnection, toConnectionView } from './connection-row.js';

export async function listN8nConnections(
  deps: Deps,
  tenantId: string,
  page: PageInput,
): Promise<Page<N8nConnection>> {
  const result = await tenantPage(deps.db, tables.n8nConnections, tenantId, page);
  return { items: result.items.map(toConnectionView), nextCursor: result.nextCursor };
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
