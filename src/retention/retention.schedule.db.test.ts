import { describe, expect, it } from 'vitest';
import { createTenant } from '../control/tenants/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import { FilesystemBlobStore } from '../storage/index.js';
import { retentionLock, runRetention, runRetentionIfDue } from './index.js';
import { seedCalls, useBackendWithScratchDir } from './retention.test-support.js';

const DAY = 86_400_000;
const env = useBackendWithScratchDir('retention-schedule-');

describe('retention scheduling and exclusion', () => {
  it('lets only one run at a time: a second run while one is part-way is refused', async () => {
    const deps = env.backend.deps;
    const blobs = new FilesystemBlobStore(env.dir);
    const tenantId = (await createTenant(deps, SYSTEM_ACTOR, { name: 'Lock', slug: 'lock-test' })).id;
    await seedCalls(deps, blobs, [{ tenantId, endedAt: new Date(Date.now() - 40 * DAY), utterances: 1 }]);
    let paused!: () => void;
    const reached = new Promise<void>((resolve) => {
      paused = resolve;
    });
    let resume!: () => void;
    const gate = new Promise<void>((resolve) => {
      resume = resolve;
    });
    // Two lock instances, as two server instances would have (on PostgreSQL: two connections).
    const first = runRetention(
      deps,
      {
        blobs,
        lock: retentionLock(env.backend.database.db, env.backend.database.kind),
        hooks: {
          afterBlobsDeleted: async () => {
            paused();
            await gate;
          },
        },
      },
      { trigger: 'cli', actor: SYSTEM_ACTOR },
    );
    await reached;
    await expect(
      runRetention(
        deps,
        { blobs, lock: retentionLock(env.backend.database.db, env.backend.database.kind) },
        { trigger: 'api', actor: SYSTEM_ACTOR },
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    resume();
    expect(await first).toMatchObject({ status: 'succeeded', callsCleaned: 1 });
  });

  it('runs the daily job once a day', async () => {
    let now = Date.now();
    const deps = { ...env.backend.deps, now: () => new Date(now) };
    const blobs = new FilesystemBlobStore(env.dir);
    const lock = retentionLock(env.backend.database.db, env.backend.database.kind);
    const firstRun = await runRetentionIfDue(deps, lock, blobs);
    expect(firstRun).toMatch(/^rrn_/);
    now += 12 * 3_600_000;
    expect(await runRetentionIfDue(deps, lock, blobs)).toBeNull();
    now += 12 * 3_600_000;
    const nextDay = await runRetentionIfDue(deps, lock, blobs);
    expect(nextDay).toMatch(/^rrn_/);
    expect(nextDay).not.toBe(firstRun);
  });
});
