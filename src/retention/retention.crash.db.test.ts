import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { backendKind } from '../../test/support/backend.js';
import { adminUrl, databaseUrl } from '../../test/support/urls.js';
import { createTenant } from '../control/tenants/index.js';
import { type DatabaseTarget, openDatabase, tables, withAllTenants } from '../db/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import { FilesystemBlobStore } from '../storage/index.js';
import { placeLegalHold, retentionLock, runRetention } from './index.js';
import { blobKeysOnDisk, callStates, seedCalls, standaloneDeps } from './retention.test-support.js';

const DAY = 86_400_000;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A database the child process can open too: a PGlite data directory, or a PostgreSQL database. */
async function sharedTarget(root: string): Promise<DatabaseTarget> {
  if (backendKind() === 'embedded') return { kind: 'pglite', dataDir: join(root, 'db') };
  const name = `sb_test_crash_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`create database "${name}" template "${inject('pgTemplate')}"`);
  cleanups.push(async () => {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });
  return { kind: 'postgres', url: databaseUrl(name), maxConnections: 4 };
}

/** Resolves with the child's first stdout line. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before pausing`)));
  });
}

describe('retention crash recovery', () => {
  it('a run killed between blob and row deletion is finished by the next run', async () => {
    const root = await mkdtemp(join(tmpdir(), 'retention-crash-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const blobDir = join(root, 'blobs');
    const blobs = new FilesystemBlobStore(blobDir);
    const target = await sharedTarget(root);
    const asOf = new Date();

    let database = await openDatabase(target);
    await database.migrate();
    let deps = standaloneDeps(database);
    const tenantId = (
      await createTenant(deps, SYSTEM_ACTOR, {
        name: 'Crash',
        slug: `crash-${randomBytes(3).toString('hex')}`,
      })
    ).id;
    const old = new Date(asOf.getTime() - 45 * DAY);
    const ids = await seedCalls(
      deps,
      blobs,
      Array.from({ length: 5 }, () => ({
        tenantId,
        endedAt: old,
        utterances: 2,
        events: 1,
        toolExecutions: 1,
        recordingBytes: 64,
      })),
    );
    const [kept] = await seedCalls(deps, blobs, [
      { tenantId, endedAt: asOf, utterances: 1, recordingBytes: 8 },
    ]);
    // PGlite is one process's: the child gets the data directory to itself.
    if (database.kind === 'pglite') await database.close();

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/retention/retention-crash-child.test-support.ts',
        JSON.stringify({ target, blobDir, asOf: asOf.toISOString() }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const line = await firstLine(child);
    expect(line).toMatch(/^paused /);
    const halfDone = JSON.parse(line.slice('paused '.length)) as string[];
    expect(halfDone).toHaveLength(2);
    child.kill('SIGKILL');
    await exited;

    if (database.kind === 'pglite') database = await openDatabase(target);
    deps = standaloneDeps(database);
    cleanups.push(() => database.close());

    // The crash left the planned calls with their rows but without their blobs, marked pending.
    const crashed = await callStates(deps, ids);
    for (const id of halfDone) {
      expect(crashed.get(id)).toMatchObject({ contentDeletedAt: null, utterances: 2, recordings: 1 });
    }
    expect(await blobKeysOnDisk(blobDir)).toHaveLength(4);
    const pending = await withAllTenants(
      deps.db,
      { actor: 't', purpose: 't' },
      () => {},
      (tx) => tx.select().from(tables.retentionPending),
    );
    expect(pending.map((p) => p.callId).sort()).toEqual([...halfDone].sort());
    // A half-deleted call cannot be put on hold until the cleanup has finished.
    await expect(
      placeLegalHold(deps, { kind: 'system', id: null }, tenantId, halfDone[0]!, 'too late'),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });

    const lock = retentionLock(database.db, database.kind);
    const next = await runRetention(
      deps,
      { blobs, lock, batchSize: 2 },
      { trigger: 'cli', actor: SYSTEM_ACTOR, asOf },
    );
    expect(next).toMatchObject({ status: 'succeeded', callsCleaned: 5, errors: 0 });

    const states = await callStates(deps, [...ids, kept!]);
    for (const id of ids) {
      expect(states.get(id)).toMatchObject({
        contentDeletedAt: expect.any(String),
        utterances: 0,
        events: 0,
        toolArgs: 0,
        attemptBodies: 0,
        recordings: 0,
        costs: 1,
      });
    }
    expect(states.get(kept!)).toMatchObject({ contentDeletedAt: null, utterances: 1, recordings: 1 });
    expect(await blobKeysOnDisk(blobDir)).toEqual(states.get(kept!)!.recordingKeys);
    const audit = await withAllTenants(
      deps.db,
      { actor: 't', purpose: 't' },
      () => {},
      (tx) => tx.select().from(tables.deletionAudit).where(eq(tables.deletionAudit.runId, next.id)),
    );
    expect(audit.map((a) => a.callId).sort()).toEqual([...ids].sort());
    const runs = await withAllTenants(
      deps.db,
      { actor: 't', purpose: 't' },
      () => {},
      (tx) => tx.select().from(tables.retentionRuns),
    );
    expect(runs.find((r) => r.id !== next.id)).toMatchObject({
      status: 'failed',
      errorMessage: `interrupted; resumed by ${next.id}`,
    });

    const again = await runRetention(deps, { blobs, lock }, { trigger: 'cli', actor: SYSTEM_ACTOR, asOf });
    expect(again.callsCleaned).toBe(0);
    expect(await callStates(deps, [...ids, kept!])).toEqual(states);
  }, 180_000);
});
