import { and, desc, eq, lt } from 'drizzle-orm';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import { type Page, type PageInput, toPage } from '../../lib/pagination.js';
import { findNumber, type PhoneNumber } from './number-row.js';

export async function listNumbers(
  deps: Deps,
  tenantId: string,
  input: PageInput & { agentId?: string },
): Promise<Page<PhoneNumber>> {
  const p = tables.phoneNumbers;
  return withTenant(deps.db, tenantId, async (tx) =>
    toPage(
      await tx
        .select()
        .from(p)
        .where(
          and(
            eq(p.tenantId, tenantId),
            input.agentId ? eq(p.agentId, input.agentId) : undefined,
            input.cursor ? lt(p.id, input.cursor) : undefined,
          ),
        )
        .orderBy(desc(p.id))
        .limit(input.limit + 1),
      input.limit,
    ),
  );
}

export function getNumber(deps: Deps, tenantId: string, numberId: string): Promise<PhoneNumber> {
  return withTenant(deps.db, tenantId, (tx) => findNumber(tx, tenantId, numberId));
}
