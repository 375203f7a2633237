import { desc, lt } from 'drizzle-orm';
import { tables } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { type PageInput, toPage } from '../lib/pagination.js';

export const publicUserColumns = {
  id: tables.users.id,
  email: tables.users.email,
  name: tables.users.name,
  platformRole: tables.users.platformRole,
  disabledAt: tables.users.disabledAt,
  createdAt: tables.users.createdAt,
};

export async function listUsers(deps: Deps, page: PageInput) {
  const rows = await deps.db
    .select(publicUserColumns)
    .from(tables.users)
    .where(page.cursor ? lt(tables.users.id, page.cursor) : undefined)
    .orderBy(desc(tables.users.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}
