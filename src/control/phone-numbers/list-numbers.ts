import { eq } from 'drizzle-orm';
import { keysetPage, tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Page, PageInput } from '../../lib/pagination.js';
import { findNumber, type PhoneNumber } from './number-row.js';

export async function listNumbers(
  deps: Deps,
  tenantId: string,
  input: PageInput & { agentId?: string },
): Promise<Page<PhoneNumber>> {
  const p = tables.phoneNumbers;
  return withTenant(deps.db, tenantId, (tx) =>
    keysetPage(
      tx.select().from(p).$dynamic(),
      p.id,
      input,
      eq(p.tenantId, tenantId),
      input.agentId ? eq(p.agentId, input.agentId) : undefined,
    ),
  );
}

export function getNumber(deps: Deps, tenantId: string, numberId: string): Promise<PhoneNumber> {
  return withTenant(deps.db, tenantId, (tx) => findNumber(tx, tenantId, numberId));
}
