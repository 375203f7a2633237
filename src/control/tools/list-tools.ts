import { eq, isNull } from 'drizzle-orm';
import { keysetPage, tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Page, PageInput } from '../../lib/pagination.js';
import { findTool, type Tool } from './tool-row.js';

export async function listTools(
  deps: Deps,
  tenantId: string,
  input: PageInput & { includeArchived?: boolean },
): Promise<Page<Tool>> {
  const t = tables.tools;
  return withTenant(deps.db, tenantId, (tx) =>
    keysetPage(
      tx.select().from(t).$dynamic(),
      t.id,
      input,
      eq(t.tenantId, tenantId),
      input.includeArchived ? undefined : isNull(t.archivedAt),
    ),
  );
}

export function getTool(deps: Deps, tenantId: string, toolId: string): Promise<Tool> {
  return withTenant(deps.db, tenantId, (tx) => findTool(tx, tenantId, toolId));
}
