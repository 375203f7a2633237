import { eq } from 'drizzle-orm';
import { tables, tenantPage, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Page, PageInput } from '../../lib/pagination.js';
import { findNumber, type PhoneNumber } from './number-row.js';

export function listNumbers(
  deps: Deps,
  tenantId: string,
  input: PageInput & { agentId?: string },
): Promise<Page<PhoneNumber>> {
  const routedTo = input.agentId ? eq(tables.phoneNumbers.agentId, input.agentId) : undefined;
  return tenantPage(deps.db, tables.phoneNumbers, tenantId, input, routedTo);
}

export function getNumber(deps: Deps, tenantId: string, numberId: string): Promise<PhoneNumber> {
  return withTenant(deps.db, tenantId, (tx) => findNumber(tx, tenantId, numberId));
}
