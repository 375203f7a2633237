import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema/index.js';
import { registerTenantReadPool } from './scope.js';
import { TenantReadPool } from './tenant-read-pool.js';

export type Schema = typeof schema;
export type AppDb = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<AppDb['transaction']>[0]>[0];
/** Either the database or a transaction on it: what domain functions take. */
export type DbOrTx = AppDb | Tx;

export type DatabaseTarget =
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'pglite-memory'; loadFrom?: Blob | File }
  | {
      kind: 'postgres';
      url: string;
      /** Who runs the migrations (the tables' owner); default: url. */
      migrationUrl?: string;
      maxConnections?: number;
    };

/** The role the application's queries run as, and whether it sidesteps row-level security. */
export interface RuntimeRole {
  name: string;
  superuser: boolean;
  bypassRls: boolean;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: AppDb;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  /** The login role of the connection (PostgreSQL); undefined on PGlite, whose one user is a superuser. */
  runtimeRole(): Promise<RuntimeRole | undefined>;
  close(): Promise<void>;
  /** The underlying PGlite, for tests that snapshot it. */
  readonly pglite?: PGlite;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

const MIGRATION_LOCK_KEY = 7_204_551_337;

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'postgres') return openPostgres(target, target.maxConnections ?? 10);
  let client: PGlite;
  if (target.kind === 'pglite') {
    const dir = join(target.dataDir, 'pgdata');
    mkdirSync(dir, { recursive: true });
    client = new PGlite(dir);
  } else {
    client = target.loadFrom ? new PGlite({ loadDataDir: target.loadFrom }) : new PGlite();
  }
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as AppDb;
  return {
    kind: 'pglite',
    db,
    pglite: client,
    migrate: async () => {
      await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS_DIR });
    },
    ping: async () => {
      await client.query('select 1');
    },
    runtimeRole: async () => undefined,
    close: () => client.close(),
  };
}

async function openPostgres(
  target: Extract<DatabaseTarget, { kind: 'postgres' }>,
  max: number,
): Promise<Database> {
  const pool = new pg.Pool({ connectionString: target.url, max });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // Nor one that loses it while checked out between two queries of a transaction (the pool listens
  // only to idle clients): its query fails and the caller retries or reports it.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzlePg(pool, { schema }) as unknown as AppDb;
  const reads = new TenantReadPool(target.url, max);
  registerTenantReadPool(db, reads);
  return {
    kind: 'postgres',
    db,
    migrate: async () => {
      // The owner migrates: the runtime role has no right to create or alter tables.
      if (target.migrationUrl === undefined || target.migrationUrl === target.url) {
        const client = await pool.connect();
        try {
          await migrateLocked(client);
        } finally {
          client.release();
        }
        return;
      }
      const owner = new pg.Client({ connectionString: target.migrationUrl });
      await owner.connect();
      try {
        await migrateLocked(owner);
      } finally {
        await owner.end();
      }
    },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    runtimeRole: async () => {
      const { rows } = await pool.query<{ name: string; superuser: boolean; bypass_rls: boolean }>(
        'select rolname as name, rolsuper as superuser, rolbypassrls as bypass_rls from pg_roles where rolname = current_user',
      );
      const row = rows[0]!;
      return { name: row.name, superuser: row.superuser, bypassRls: row.bypass_rls };
    },
    close: async () => {
      await Promise.all([pool.end(), reads.close()]);
    },
  };
}

/** Several instances may start at once: one migrates while the others wait on the lock. */
async function migrateLocked(client: pg.PoolClient | pg.Client): Promise<void> {
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migratePg(drizzlePg(client, { schema }), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
  }
}
