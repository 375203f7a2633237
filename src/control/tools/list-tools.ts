import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import { type Page, type PageInput, toPage } from '../../lib/pagination.js';
import { findTool, type Tool } from './tool-row.js';

export async function listTools(
  deps: Deps,
  tenantId: string,
  input: PageInput & { includeArchived?: boolean },
): Promise<Page<Tool>> {
  const t = tables.tools;
  return withTenant(deps.db, tenantId, async (tx) =>
    toPage(
      await tx
        .select()
        .from(t)
        .where(
          and(
            eq(t.tenantId, tenantId),
            input.includeArchived ? undefined : isNull(t.archivedAt),
            input.cursor ? lt(t.id, input.cursor) : undefined,
          ),
        )
        .orderBy(desc(t.id))
        .limit(input.limit + 1),
      input.limit,
    ),
  );
}

export function getTool(deps: Deps, tenantId: string, toolId: string): Promise<Tool> {
  return withTenant(deps.db, tenantId, (tx) => findTool(tx, tenantId, toolId));
}
