import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { inject } from 'vitest';
import { type AppDb, type Database, openDatabase } from '../../src/db/index.js';
import type { Deps } from '../../src/deps/index.js';
import { SecretBox } from '../../src/lib/secrets.js';
import { type EphemeralStore, MemoryStore, RedisStore } from '../../src/store/index.js';
import { adminUrl, databaseUrl, redisUrl, runtimeDatabaseUrl } from './urls.js';

export type BackendKind = 'embedded' | 'services';

export interface TestBackend {
  kind: BackendKind;
  /** The database as the application sees it: on PostgreSQL, the non-superuser runtime role. */
  database: Database;
  /**
   * The tables' owner, which row-level security does not confine: for fixtures and assertions that
   * look at every tenant's rows. The same connection as `database` on PGlite (one superuser).
   */
  owner: AppDb;
  store: EphemeralStore;
  deps: Deps;
  close(): Promise<void>;
}

export function backendKind(): BackendKind {
  const kind = process.env.SWITCHBOARD_TEST_BACKEND;
  if (kind !== 'embedded' && kind !== 'services') {
    throw new Error(
      'SWITCHBOARD_TEST_BACKEND must be embedded or services (run tests through vitest projects)',
    );
  }
  return kind;
}

let pgliteSnapshot: Promise<Blob> | undefined;

/** A migrated PGlite, cloned from one migrated in-memory snapshot per worker. */
async function openEmbeddedDatabase(): Promise<Database> {
  pgliteSnapshot ??= (async () => {
    const fresh = await openDatabase({ kind: 'pglite-memory' });
    await fresh.migrate();
    const dump = await fresh.pglite!.dumpDataDir('none');
    await fresh.close();
    return dump;
  })();
  return openDatabase({ kind: 'pglite-memory', loadFrom: await pgliteSnapshot });
}

/**
 * A fresh database (and store namespace) for one test file, on the backend this project targets;
 * on services, the store is the machine's Redis unless `redisUrl` names another server.
 */
export async function openTestBackend(options: { redisUrl?: string } = {}): Promise<TestBackend> {
  const kind = backendKind();
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const suffix = randomBytes(6).toString('hex');
  let database: Database;
  let owner: AppDb;
  let store: EphemeralStore;
  let cleanup: () => Promise<void>;
  if (kind === 'embedded') {
    database = await openEmbeddedDatabase();
    owner = database.db;
    store = new MemoryStore();
    cleanup = async () => {};
  } else {
    const name = `sb_test_${suffix}`;
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`create database "${name}" template "${inject('pgTemplate')}"`);
    database = await openDatabase({
      kind: 'postgres',
      url: runtimeDatabaseUrl(name),
      migrationUrl: databaseUrl(name),
      maxConnections: 5,
    });
    const ownerDatabase = await openDatabase({ kind: 'postgres', url: databaseUrl(name), maxConnections: 2 });
    owner = ownerDatabase.db;
    const keyPrefix = `sbtest:${suffix}:`;
    const storeUrl = options.redisUrl ?? redisUrl();
    store = await new RedisStore(storeUrl, keyPrefix).connect();
    cleanup = async () => {
      await ownerDatabase.close();
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
      const redis = new Redis(storeUrl);
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    };
  }
  const deps: Deps = {
    db: database.db,
    store,
    log,
    now: () => new Date(),
    crossTenantLog: () => {},
    secrets: SecretBox.fromKey(randomBytes(32)),
  };
  return {
    kind,
    database,
    owner,
    store,
    deps,
    close: async () => {
      await store.close();
      await database.close();
      await cleanup();
    },
  };
}
