import { type SQL, sql } from 'drizzle-orm';
import type { AppDb, DbOrTx, Tx } from './client.js';

export const APP_ROLE = 'switchboard_app';

/** Who reaches across tenants and why; logged on every use. */
export interface CrossTenantAccess {
  actor: string;
  purpose: string;
}

export type CrossTenantLogger = (access: CrossTenantAccess) => void;

/**
 * The statement that confines what follows to one tenant (or opens every tenant) and switches to
 * the role without BYPASSRLS: for the transaction (`local`), or for the session of a connection
 * that serves nothing else (`TenantReadPool`).
 */
export function scopeStatement(scope: { tenantId: string } | 'all-tenants', local: boolean): SQL {
  const tenantId = scope === 'all-tenants' ? '' : scope.tenantId;
  const allTenants = scope === 'all-tenants' ? 'on' : 'off';
  return sql`select set_config('app.tenant_id', ${tenantId}, ${local}), set_config('app.all_tenants', ${allTenants}, ${local}), set_config('role', ${APP_ROLE}, ${local})`;
}

/**
 * Runs fn in a transaction that row-level security confines to one tenant: the tenant is set for
 * the transaction and the role switched to one without BYPASSRLS (even when connected as a superuser).
 */
export function withTenant<T>(db: AppDb, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(scopeStatement({ tenantId }, true));
    return fn(tx);
  });
}

/** Reads confined to one tenant (`TenantReadPool`). */
export interface TenantReader {
  read<T>(tenantId: string, fn: (db: AppDb) => Promise<T>): Promise<T>;
}

/** Where `readAsTenant` finds the read pool of a database opened on PostgreSQL. */
const tenantReadPools = new WeakMap<AppDb, TenantReader>();

export function registerTenantReadPool(db: AppDb, pool: TenantReader): void {
  tenantReadPools.set(db, pool);
}

/**
 * Reads confined to one tenant by row-level security, like `withTenant`, for read-only work: on
 * PostgreSQL through the database's `TenantReadPool` (no transaction, so fewer round trips); on
 * PGlite, where a transaction costs no round trip, through `withTenant`. fn must not write.
 */
export function readAsTenant<T>(db: AppDb, tenantId: string, fn: (db: DbOrTx) => Promise<T>): Promise<T> {
  const pool = tenantReadPools.get(db);
  return pool ? pool.read(tenantId, fn) : withTenant(db, tenantId, fn);
}

/**
 * The one way to read or write across tenants (agency staff lists, the telephony webhook resolving a
 * number). Still runs as the application role; every use is reported to `log` with actor and purpose.
 */
export function withAllTenants<T>(
  db: AppDb,
  access: CrossTenantAccess,
  log: CrossTenantLogger,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  log(access);
  return db.transaction(async (tx) => {
    await tx.execute(scopeStatement('all-tenants', true));
    return fn(tx);
  });
}

/** Rows and affected-row count of a raw statement, the same on PGlite and node-postgres. */
export async function rawQuery<T>(db: AppDb | Tx, query: SQL): Promise<{ rows: T[]; rowCount: number }> {
  const result = (await db.execute(query)) as unknown as {
    rows: T[];
    rowCount?: number | null;
    affectedRows?: number;
  };
  return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? 0 };
}
