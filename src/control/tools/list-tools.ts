import { isNull } from 'drizzle-orm';
import { tables, tenantPage, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Page, PageInput } from '../../lib/pagination.js';
import { findTool, type Tool } from './tool-row.js';

export function listTools(
  deps: Deps,
  tenantId: string,
  input: PageInput & { includeArchived?: boolean },
): Promise<Page<Tool>> {
  const archived = input.includeArchived ? undefined : isNull(tables.tools.archivedAt);
  return tenantPage(deps.db, tables.tools, tenantId, input, archived);
}

export function getTool(deps: Deps, tenantId: string, toolId: string): Promise<Tool> {
  return withTenant(deps.db, tenantId, (tx) => findTool(tx, tenantId, toolId));
}
