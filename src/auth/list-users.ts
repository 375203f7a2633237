import { keysetPage, tables } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { PageInput } from '../lib/pagination.js';

export const publicUserColumns = {
  id: tables.users.id,
  email: tables.users.email,
  name: tables.users.name,
  platformRole: tables.users.platformRole,
  disabledAt: tables.users.disabledAt,
  createdAt: tables.users.createdAt,
};

export function listUsers(deps: Deps, page: PageInput) {
  return keysetPage(deps.db.select(publicUserColumns).from(tables.users).$dynamic(), tables.users.id, page);
}
