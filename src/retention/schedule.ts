import { and, desc, eq } from 'drizzle-orm';
import { type Database, tables, withAllTenants } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import type { BlobStore } from '../storage/index.js';
import { retentionLock } from './run-lock.js';
import { runRetention } from './run-retention.js';

const CHECK_EVERY_MS = 60 * 60_000;
const FIRST_CHECK_MS = 60_000;
const DUE_AFTER_MS = 23 * 60 * 60_000;

/**
 * The daily cleanup: every instance checks hourly whether a scheduled run finished in the last 23
 * hours and, if not, runs one under the lock (on PostgreSQL the advisory lock makes it exactly one
 * instance). Returns the function that stops the schedule.
 */
export function startRetentionSchedule(
  deps: Deps,
  database: Pick<Database, 'db' | 'kind'>,
  blobs: BlobStore,
): () => Promise<void> {
  const lock = retentionLock(database.db, database.kind);
  let running: Promise<void> | undefined;
  const check = () => {
    running ??= runRetentionIfDue(deps, lock, blobs)
      .then(() => {})
      .catch((err) => deps.log.error({ err }, 'scheduled retention run failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(check, FIRST_CHECK_MS);
  const every = setInterval(check, CHECK_EVERY_MS);
  first.unref();
  every.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(every);
    await running;
  };
}

/** One scheduled check: runs the cleanup unless a scheduled run succeeded in the last 23 hours. */
export async function runRetentionIfDue(
  deps: Deps,
  lock: ReturnType<typeof retentionLock>,
  blobs: BlobStore,
): Promise<string | null> {
  const result = await lock(async () => {
    const r = tables.retentionRuns;
    const [last] = await withAllTenants(
      deps.db,
      { actor: 'system:retention', purpose: 'retention.schedule' },
      deps.crossTenantLog,
      (tx) =>
        tx
          .select({ startedAt: r.startedAt })
          .from(r)
          .where(and(eq(r.trigger, 'schedule'), eq(r.status, 'succeeded')))
          .orderBy(desc(r.startedAt))
          .limit(1),
    );
    if (last && deps.now().getTime() - last.startedAt.getTime() < DUE_AFTER_MS) return null;
    // Already under the lock: the run itself takes a no-op lock.
    const run = await runRetention(
      deps,
      { blobs, lock: (work) => work() },
      {
        trigger: 'schedule',
        actor: SYSTEM_ACTOR,
      },
    );
    deps.log.info(
      { runId: run.id, cleaned: run.callsCleaned, skippedHold: run.skippedHold, errors: run.errors },
      'retention run finished',
    );
    return run.id;
  });
  return result ?? null;
}
