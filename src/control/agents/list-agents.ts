import { eq, isNull } from 'drizzle-orm';
import { keysetPage, tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Page, PageInput } from '../../lib/pagination.js';
import { type Agent, agentColumns, findAgent, toAgent } from './agent-row.js';

export async function listAgents(
  deps: Deps,
  tenantId: string,
  input: PageInput & { includeArchived?: boolean },
): Promise<Page<Agent>> {
  const a = tables.agents;
  return withTenant(deps.db, tenantId, async (tx) => {
    const page = await keysetPage(
      tx
        .select(agentColumns)
        .from(a)
        .leftJoin(tables.agentVersions, eq(tables.agentVersions.id, a.liveVersionId))
        .$dynamic(),
      a.id,
      input,
      eq(a.tenantId, tenantId),
      input.includeArchived ? undefined : isNull(a.archivedAt),
    );
    return { ...page, items: page.items.map(toAgent) };
  });
}

export function getAgent(deps: Deps, tenantId: string, agentId: string): Promise<Agent> {
  return withTenant(deps.db, tenantId, (tx) => findAgent(tx, tenantId, agentId));
}
