import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { AppDb } from './client.js';
import * as schema from './schema/index.js';
import { scopeStatement, type TenantReader } from './scope.js';

interface ScopedConnection {
  db: AppDb;
  /** The tenant the session is confined to; undefined until set (or while being changed). */
  tenantId: string | undefined;
}

/**
 * Connections confined to one tenant at session level, for reads. A read checks one out, sets its
 * tenant only when it differs from the last one the connection served, and runs its statements
 * without a transaction (under READ COMMITTED each statement takes its own snapshot either way),
 * which saves the BEGIN, scope and COMMIT round trips `withTenant` pays per request.
 *
 * It is a pool of its own: no other code is ever handed one of these connections, so the session's
 * tenant and role cannot leak into unscoped work. Session settings need session-level connections
 * (direct, or PgBouncer in session mode), as the transaction-local ones of `withTenant` do not.
 */
export class TenantReadPool implements TenantReader {
  readonly #pool: pg.Pool;
  readonly #connections = new WeakMap<pg.PoolClient, ScopedConnection>();

  constructor(url: string, max: number) {
    this.#pool = new pg.Pool({ connectionString: url, max });
    this.#pool.on('error', () => {});
    this.#pool.on('connect', (client) => client.on('error', () => {}));
  }

  async read<T>(tenantId: string, fn: (db: AppDb) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      const connection = this.#connectionOf(client);
      if (connection.tenantId !== tenantId) {
        connection.tenantId = undefined;
        await connection.db.execute(scopeStatement({ tenantId }, false));
        connection.tenantId = tenantId;
      }
      return await fn(connection.db);
    } finally {
      // A connection that died is not queryable any more and the pool drops it.
      client.release();
    }
  }

  close(): Promise<void> {
    return this.#pool.end();
  }

  #connectionOf(client: pg.PoolClient): ScopedConnection {
    let connection = this.#connections.get(client);
    if (!connection) {
      // One Drizzle handle per connection, built once: building it maps the whole schema.
      connection = { db: drizzle(client, { schema }) as unknown as AppDb, tenantId: undefined };
      this.#connections.set(client, connection);
    }
    return connection;
  }
}
