import { and, desc, eq, lt } from 'drizzle-orm';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import { type Page, toPage } from '../../lib/pagination.js';
import { type AgentVersion, findAgent, findVersion, toAgentVersion } from './agent-row.js';
import { type ConfigChange, diffConfigs } from './diff-configs.js';

/** Published versions, newest first; `cursor` is the last version number of the previous page. */
export async function listAgentVersions(
  deps: Deps,
  tenantId: string,
  agentId: string,
  input: { limit: number; cursor?: number },
): Promise<Page<AgentVersion>> {
  const v = tables.agentVersions;
  return withTenant(deps.db, tenantId, async (tx) => {
    const agent = await findAgent(tx, tenantId, agentId);
    const rows = await tx
      .select()
      .from(v)
      .where(
        and(
          eq(v.tenantId, tenantId),
          eq(v.agentId, agentId),
          input.cursor ? lt(v.version, input.cursor) : undefined,
        ),
      )
      .orderBy(desc(v.version))
      .limit(input.limit + 1);
    const page = toPage(rows, input.limit);
    const last = page.items.at(-1);
    return {
      items: page.items.map((r) => toAgentVersion(r, agent.liveVersionId)),
      nextCursor: page.nextCursor && last ? String(last.version) : null,
    };
  });
}

export async function getAgentVersion(
  deps: Deps,
  tenantId: string,
  agentId: string,
  version: number,
): Promise<AgentVersion> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const agent = await findAgent(tx, tenantId, agentId);
    return toAgentVersion(await findVersion(tx, tenantId, agentId, version), agent.liveVersionId);
  });
}

/** Field-level differences from version `from` to version `to`. */
export async function diffAgentVersions(
  deps: Deps,
  tenantId: string,
  agentId: string,
  from: number,
  to: number,
): Promise<{ from: number; to: number; changes: ConfigChange[] }> {
  return withTenant(deps.db, tenantId, async (tx) => {
    await findAgent(tx, tenantId, agentId);
    const [a, b] = [
      await findVersion(tx, tenantId, agentId, from),
      await findVersion(tx, tenantId, agentId, to),
    ];
    return { from, to, changes: diffConfigs(a.config, b.config) };
  });
}
