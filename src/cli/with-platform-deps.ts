import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Database } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { openPlatformDatabase } from '../platform/platform.js';
import { createDeps } from '../platform/services.js';
import { openStore } from '../store/index.js';

/** For a one-shot command: opens and migrates the database, opens the store, runs body, closes both. */
export async function withPlatformDeps<T>(
  config: Config,
  log: Logger,
  body: (deps: Deps, database: Database) => Promise<T>,
): Promise<T> {
  const database = await openPlatformDatabase(config);
  const store = await openStore(config.store);
  try {
    await database.migrate();
    return await body(createDeps(config, database.db, store, log), database);
  } finally {
    await store.close();
    await database.close();
  }
}
