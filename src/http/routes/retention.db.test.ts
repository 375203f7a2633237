import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../../test/support/app.js';
import { openTestApp } from '../../../test/support/app-test.js';
import type { TestBackend } from '../../../test/support/backend.js';
import type { World } from '../../../test/support/fixtures.js';
import { listAudit } from '../../audit/index.js';
import { blobKeysOnDisk, seedCalls } from '../../retention/retention.test-support.js';
import { FilesystemBlobStore } from '../../storage/index.js';

const DAY = 86_400_000;
let backend: TestBackend;
let app: FastifyInstance;
let world: World;
let dir: string;
let blobs: FilesystemBlobStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'retention-routes-'));
  blobs = new FilesystemBlobStore(dir);
  ({ backend, app, world } = await openTestApp({ RECORDINGS_DIR: dir }));
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Successful audit rows of one action, newest first (refusals are audited too, as failures). */
const audit = async (tenantId: string, action: string) =>
  (await listAudit(backend.deps, { actor: 't', purpose: 't' }, { tenantId, action, limit: 50 })).items.filter(
    (row) => row.outcome === 'success',
  );

describe('retention policy routes', () => {
  it('reads the default policy, lets an admin change it within bounds, and audits the change', async () => {
    const url = `/api/tenants/${world.tenantA}/retention-policy`;
    const read = await call(app, world.as.operator, 'GET', url);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ tenantId: world.tenantA, retentionDays: 30, deleteRecordings: true });

    const put = await call(app, world.as.admin, 'PUT', url, { retentionDays: 7 });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ retentionDays: 7, deleteRecordings: true });
    expect((await call(app, world.as.admin, 'GET', url)).json().retentionDays).toBe(7);
    const [entry] = await audit(world.tenantA, 'retention.policy.update');
    expect(entry?.summary).toMatchObject({ before: { retentionDays: 30 }, after: { retentionDays: 7 } });
  });

  it('refuses bad input without changing anything', async () => {
    const url = `/api/tenants/${world.tenantB}/retention-policy`;
    for (const body of [
      { retentionDays: 0 },
      { retentionDays: 3651 },
      { retentionDays: 1.5 },
      { retentionDays: '30' },
      { retentionDays: 30, extra: true },
      {},
    ]) {
      const res = await call(app, world.as.admin, 'PUT', url, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await call(app, world.as.admin, 'GET', url)).json().retentionDays).toBe(30);
    const missing = await call(
      app,
      world.as.admin,
      'GET',
      '/api/tenants/tnt_00000000000000000000000000/retention-policy',
    );
    expect(missing.json().error.code).toBe('TENANT_NOT_FOUND');
  });

  it('lets neither operators nor client viewers change it, and viewers not read it', async () => {
    const url = `/api/tenants/${world.tenantA}/retention-policy`;
    expect((await call(app, world.as.operator, 'PUT', url, { retentionDays: 5 })).statusCode).toBe(403);
    expect((await call(app, world.as.viewerA, 'PUT', url, { retentionDays: 5 })).statusCode).toBe(403);
    expect((await call(app, world.as.viewerA, 'GET', url)).statusCode).toBe(403);
    expect((await call(app, world.as.viewerB, 'GET', url)).statusCode).toBe(403);
  });
});

describe('legal hold routes', () => {
  it('places and releases a hold with a reason, each in the audit log', async () => {
    const [callId] = await seedCalls(backend.deps, blobs, [{ tenantId: world.tenantA, endedAt: new Date() }]);
    const url = `/api/tenants/${world.tenantA}/calls/${callId}/legal-hold`;
    const placed = await call(app, world.as.admin, 'POST', url, { reason: 'Subpoena 2026-17' });
    expect(placed.statusCode).toBe(200);
    expect(placed.json()).toMatchObject({
      callId,
      legalHold: true,
      reason: 'Subpoena 2026-17',
      heldBy: world.users.admin,
    });
    expect(placed.json().heldAt).toEqual(expect.any(String));
    expect((await call(app, world.as.admin, 'POST', url, { reason: 'again please' })).statusCode).toBe(409);
    const [placeAudit] = await audit(world.tenantA, 'call.legal_hold.place');
    expect(placeAudit).toMatchObject({ actorId: world.users.admin, targetId: callId });
    expect(placeAudit?.summary).toMatchObject({ reason: 'Subpoena 2026-17' });

    const released = await call(app, world.as.admin, 'DELETE', url, { reason: 'Case settled' });
    expect(released.statusCode).toBe(200);
    expect(released.json()).toMatchObject({ legalHold: false, reason: null, heldAt: null });
    const [releaseAudit] = await audit(world.tenantA, 'call.legal_hold.release');
    expect(releaseAudit?.summary).toMatchObject({
      reason: 'Case settled',
      before: { reason: 'Subpoena 2026-17' },
    });
    expect((await call(app, world.as.admin, 'DELETE', url, { reason: 'Case settled' })).statusCode).toBe(409);
  });

  it('refuses missing, unsafe or oversized reasons and unknown calls', async () => {
    const [callId] = await seedCalls(backend.deps, blobs, [{ tenantId: world.tenantA, endedAt: new Date() }]);
    const url = `/api/tenants/${world.tenantA}/calls/${callId}/legal-hold`;
    for (const body of [
      {},
      { reason: '' },
      { reason: '  x ' },
      { reason: 'bell\u0007' },
      { reason: 'a'.repeat(501) },
      { reason: 'ok reason', x: 1 },
    ]) {
      const res = await call(app, world.as.admin, 'POST', url, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    // The call belongs to tenant A: through tenant B's URL it does not exist.
    const other = await call(
      app,
      world.as.admin,
      'POST',
      `/api/tenants/${world.tenantB}/calls/${callId}/legal-hold`,
      {
        reason: 'wrong tenant',
      },
    );
    expect(other.statusCode).toBe(404);
    expect(other.json().error.code).toBe('CALL_NOT_FOUND');
    const bad = await call(
      app,
      world.as.admin,
      'POST',
      `/api/tenants/${world.tenantA}/calls/nope/legal-hold`,
      {
        reason: 'bad id',
      },
    );
    expect(bad.statusCode).toBe(400);
  });

  it('is for internal admins only', async () => {
    const [callId] = await seedCalls(backend.deps, blobs, [{ tenantId: world.tenantA, endedAt: new Date() }]);
    const url = `/api/tenants/${world.tenantA}/calls/${callId}/legal-hold`;
    for (const who of [world.as.operator, world.as.viewerA, world.as.viewerB]) {
      expect((await call(app, who, 'POST', url, { reason: 'not allowed' })).statusCode).toBe(403);
      expect((await call(app, who, 'DELETE', url, { reason: 'not allowed' })).statusCode).toBe(403);
    }
  });
});

describe('retention run routes', () => {
  it('runs dry and for real, lists runs and the deletion audit, as JSON and CSV', async () => {
    const old = new Date(Date.now() - 40 * DAY);
    const [expired, held, fresh] = await seedCalls(backend.deps, blobs, [
      {
        tenantId: world.tenantB,
        endedAt: old,
        utterances: 2,
        events: 1,
        toolExecutions: 1,
        recordingBytes: 32,
      },
      { tenantId: world.tenantB, endedAt: old, legalHold: true, utterances: 1, recordingBytes: 8 },
      { tenantId: world.tenantB, endedAt: new Date(), utterances: 1 },
    ]);

    const dry = await call(app, world.as.admin, 'POST', '/api/retention/runs', {
      dryRun: true,
      tenantId: world.tenantB,
    });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, status: 'succeeded', callsCleaned: 1, skippedHold: 1 });
    expect(dry.json().planned).toEqual([
      expect.objectContaining({
        callId: expired,
        utterances: 2,
        events: 1,
        toolBodies: 2,
        recordings: 1,
        recordingBytes: 32,
      }),
    ]);
    expect(await blobKeysOnDisk(dir)).toHaveLength(2);

    const real = await call(app, world.as.admin, 'POST', '/api/retention/runs', { tenantId: world.tenantB });
    expect(real.statusCode).toBe(200);
    expect(real.json()).toMatchObject({
      dryRun: false,
      trigger: 'api',
      callsCleaned: 1,
      skippedHold: 1,
      errors: 0,
    });
    expect(await blobKeysOnDisk(dir)).toEqual([`recordings/${world.tenantB}/${held}.wav`]);

    const runs = await call(app, world.as.admin, 'GET', `/api/retention/runs?tenantId=${world.tenantB}`);
    expect(runs.json().items.map((r: { id: string }) => r.id)).toEqual([real.json().id, dry.json().id]);
    const one = await call(app, world.as.admin, 'GET', `/api/retention/runs/${real.json().id}`);
    expect(one.json()).toMatchObject({ id: real.json().id, callsCleaned: 1 });

    const auditRes = await call(
      app,
      world.as.admin,
      'GET',
      `/api/tenants/${world.tenantB}/deletion-audit?dryRun=false`,
    );
    expect(auditRes.json().items).toEqual([
      expect.objectContaining({
        callId: expired,
        runId: real.json().id,
        policyDays: 30,
        deleted: { utterances: 2, events: 1, toolBodies: 2, recordings: 1, recordingBytes: 32 },
      }),
    ]);
    expect(auditRes.json().items.map((r: { callId: string }) => r.callId)).not.toContain(fresh);

    for (const url of [
      `/api/tenants/${world.tenantB}/deletion-audit.csv`,
      `/api/tenants/${world.tenantB}/deletion-audit?format=csv`,
    ]) {
      const csv = await call(app, world.as.admin, 'GET', url);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.body.trim().split('\r\n');
      expect(lines[0]).toBe(
        'id,tenant_id,call_id,run_id,dry_run,policy_days,utterances,events,tool_bodies,recordings,recording_bytes,created_at',
      );
      expect(lines.filter((l) => l.includes(expired!))).toHaveLength(2); // the dry row and the real one
    }
    const runsCsv = await call(app, world.as.admin, 'GET', '/api/retention/runs.csv');
    expect(runsCsv.headers['content-type']).toMatch(/^text\/csv/);
    expect(runsCsv.body).toContain(real.json().id);
    expect((await call(app, world.as.admin, 'GET', '/api/retention/runs?format=csv')).body).toContain(
      dry.json().id,
    );
  });

  it('keeps runs and the deletion audit from operators and client viewers', async () => {
    for (const who of [world.as.operator, world.as.viewerA]) {
      expect((await call(app, who, 'POST', '/api/retention/runs', { dryRun: true })).statusCode).toBe(403);
      expect((await call(app, who, 'GET', '/api/retention/runs')).statusCode).toBe(403);
      expect((await call(app, who, 'GET', '/api/retention/runs.csv')).statusCode).toBe(403);
      expect((await call(app, who, 'GET', `/api/tenants/${world.tenantA}/deletion-audit`)).statusCode).toBe(
        403,
      );
    }
    const bad = await call(app, world.as.admin, 'POST', '/api/retention/runs', { dryRun: 'yes' });
    expect(bad.statusCode).toBe(400);
  });
});
