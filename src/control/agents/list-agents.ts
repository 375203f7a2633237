import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import { type Page, type PageInput, toPage } from '../../lib/pagination.js';
import { type Agent, agentColumns, findAgent, toAgent } from './agent-row.js';

export async function listAgents(
  deps: Deps,
  tenantId: string,
  input: PageInput & { includeArchived?: boolean },
): Promise<Page<Agent>> {
  const a = tables.agents;
  return withTenant(deps.db, tenantId, async (tx) => {
    const rows = await tx
      .select(agentColumns)
      .from(a)
      .leftJoin(tables.agentVersions, eq(tables.agentVersions.id, a.liveVersionId))
      .where(
        and(
          eq(a.tenantId, tenantId),
          input.includeArchived ? undefined : isNull(a.archivedAt),
          input.cursor ? lt(a.id, input.cursor) : undefined,
        ),
      )
      .orderBy(desc(a.id))
      .limit(input.limit + 1);
    return toPage(rows.map(toAgent), input.limit);
  });
}

export function getAgent(deps: Deps, tenantId: string, agentId: string): Promise<Agent> {
  return withTenant(deps.db, tenantId, (tx) => findAgent(tx, tenantId, agentId));
}
