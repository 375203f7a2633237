import { sql } from 'drizzle-orm';
import { type AppDb, rawQuery } from '../db/index.js';

/** Runs work only if no other run holds the lock (here or in another instance); null when it is held. */
export type RunLock = <T>(work: () => Promise<T>) => Promise<T | null>;

const RETENTION_LOCK_KEY = 7_204_551_313;
const inProcess = new WeakMap<AppDb, boolean>();

/**
 * PostgreSQL: a transaction-scoped advisory lock held on one pooled connection for the whole run, so
 * exactly one instance runs at a time and a killed process releases it with its connection.
 * PGlite (one process, one connection): an in-process flag.
 */
export function retentionLock(db: AppDb, kind: 'pglite' | 'postgres'): RunLock {
  if (kind === 'postgres') {
    return (work) =>
      db.transaction(async (tx) => {
        const { rows } = await rawQuery<{ got: boolean }>(
          tx,
          sql`select pg_try_advisory_xact_lock(${RETENTION_LOCK_KEY}::bigint) as got`,
        );
        return rows[0]?.got ? work() : null;
      });
  }
  return async (work) => {
    if (inProcess.get(db)) return null;
    inProcess.set(db, true);
    try {
      return await work();
    } finally {
      inProcess.delete(db);
    }
  };
}
