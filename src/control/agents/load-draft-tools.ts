import { and, eq, inArray } from 'drizzle-orm';
import { type Tx, tables } from '../../db/index.js';
import type { Tool } from '../tools/tool-row.js';

/** The tenant's tools among `toolIds`, by id (ids of other tenants or unknown ids are simply absent). */
export async function loadDraftTools(
  tx: Tx,
  tenantId: string,
  toolIds: readonly string[],
): Promise<Map<string, Tool>> {
  if (toolIds.length === 0) return new Map();
  const rows = await tx
    .select()
    .from(tables.tools)
    .where(and(eq(tables.tools.tenantId, tenantId), inArray(tables.tools.id, [...toolIds])));
  return new Map(rows.map((t) => [t.id, t]));
}
