import type { DbOrTx } from './client.js';

const preparedByHandle = new WeakMap<DbOrTx, Map<string, unknown>>();

/**
 * Statements built once per database handle and sent as named prepared statements (`name`): a
 * request then only binds its values, with no query building here and no parsing on the server.
 * It pays on the handles of the tenant read pool, which live as long as their connection; a
 * transaction's handle (`withTenant`, PGlite) builds them again each time, as without it.
 * `build` must give the same statements for the same name (use placeholders for every value).
 */
export function preparedOnce<T>(db: DbOrTx, name: string, build: (name: string) => T): T {
  let prepared = preparedByHandle.get(db);
  if (!prepared) {
    prepared = new Map();
    preparedByHandle.set(db, prepared);
  }
  let statements = prepared.get(name) as T | undefined;
  if (statements === undefined) {
    statements = build(name);
    prepared.set(name, statements);
  }
  return statements;
}
