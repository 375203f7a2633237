import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Credentials, call } from '../../../test/support/app.js';
import { openTestBackend, type TestBackend } from '../../../test/support/backend.js';
import { createWorld, type World } from '../../../test/support/fixtures.js';
import { finalizeCall } from '../../analytics/index.js';
import { tables, withTenant } from '../../db/index.js';
import { newId } from '../../lib/ids.js';
import { FilesystemBlobStore } from '../../storage/index.js';

let backend: TestBackend;
let app: FastifyInstance;
let world: World;
let dir: string;
let now = new Date();
let callId: string;
let bareCallId: string;
const WAV = Buffer.from('RIFF....WAVEfmt 0123456789abcdefghijklmnopqrstuvwxyz');

beforeAll(async () => {
  backend = await openTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'calls-rec-'));
  const blobs = new FilesystemBlobStore(dir);
  const deps = { ...backend.deps, now: () => now };
  app = await buildTestApp(backend, {}, { deps, blobs });
  world = await createWorld(backend, app);
  const tenantId = world.tenantA;
  callId = newId('call');
  bareCallId = newId('call');
  const started = new Date('2026-03-10T15:00:00Z');
  await withTenant(backend.deps.db, tenantId, async (tx) => {
    await tx.insert(tables.calls).values([
      {
        id: callId,
        tenantId,
        fromNumber: '+15550001111',
        toNumber: '+15550002222',
        transport: 'sandbox',
        status: 'completed',
        endReason: 'caller_hangup',
        startedAt: started,
        answeredAt: started,
        endedAt: new Date(started.getTime() + 60_000),
        durationMs: 60_000,
      },
      {
        id: bareCallId,
        tenantId,
        status: 'rejected',
        endReason: 'no_agent',
        startedAt: started,
        durationMs: 0,
      },
    ]);
    await tx.insert(tables.utterances).values([
      {
        tenantId,
        callId,
        seq: 1,
        speaker: 'agent',
        text: 'Hello',
        startMs: 0,
        endMs: 1000,
        interrupted: false,
      },
      { tenantId, callId, seq: 2, speaker: 'caller', text: 'Book me', startMs: 1500, endMs: 3000 },
      {
        tenantId,
        callId,
        seq: 3,
        speaker: 'agent',
        text: 'Done',
        startMs: 3400,
        endMs: 4400,
        interrupted: true,
        metrics: { latency: { totalMs: 400, sttMs: 100, llmMs: 200, ttsMs: 100 } },
      },
    ]);
    const executionId = newId('toolExecution');
    await tx.insert(tables.toolExecutions).values({
      id: executionId,
      tenantId,
      toolName: 'book_slot',
      callId,
      status: 'succeeded',
      idempotencyKey: 'k1',
      arguments: { secret: 'arg-body' },
      result: { ok: true },
      durationMs: 120,
    });
    await tx.insert(tables.toolExecutionAttempts).values({
      tenantId,
      executionId,
      attempt: 1,
      statusCode: 200,
      outcome: 'succeeded',
      durationMs: 120,
      request: { body: 'request-body' },
      response: { body: 'response-body' },
      startedAt: started,
    });
    await tx.insert(tables.callCosts).values({
      tenantId,
      callId,
      provider: 'openai',
      metric: 'input_tokens',
      quantity: '1000',
      unitPriceUsd: '0.0000004',
      amountUsd: '0.000400',
    });
    await tx.insert(tables.callEvents).values({
      tenantId,
      callId,
      type: 'outcome_reported',
      data: { label: 'appointment_booked' },
    });
    await tx.insert(tables.recordings).values({
      id: newId('recording'),
      tenantId,
      callId,
      storageKey: `${tenantId}/${callId}.wav`,
      contentType: 'audio/wav',
      channels: 2,
      sampleRate: 8000,
      durationMs: 60_000,
      sizeBytes: WAV.length,
    });
  });
  await blobs.put(`${tenantId}/${callId}.wav`, WAV, 'audio/wav');
  await finalizeCall(backend.deps, { id: callId, tenantId });
  await finalizeCall(backend.deps, { id: bareCallId, tenantId });
}, 300_000);
afterAll(async () => {
  await app?.close();
  await backend?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const detailUrl = (id = callId, tenant = world.tenantA) => `/api/tenants/${tenant}/calls/${id}`;
const get = (who: Credentials, url: string, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'GET',
    url,
    headers: { ...(who && 'cookie' in who ? { cookie: who.cookie } : {}), ...headers },
  });

describe('GET /api/tenants/:tenantId/calls/:callId', () => {
  it('gives internal staff the whole call, tool bodies included', async () => {
    const res = await call(app, world.as.operator, 'GET', detailUrl());
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.view).toBe('internal');
    expect(body.call).toMatchObject({ id: callId, status: 'completed', endReason: 'caller_hangup' });
    expect(body.call.outcome).toBe('appointment_booked');
    expect(body.transcript.map((t: { seq: number }) => t.seq)).toEqual([1, 2, 3]);
    expect(body.transcript[2].latencyMs).toBe(400);
    expect(body.toolExecutions[0].arguments).toEqual({ secret: 'arg-body' });
    expect(body.toolExecutions[0].attempts[0].request).toEqual({ body: 'request-body' });
    expect(body.costs.totalUsd).toBe('0.000400');
    expect(body.metrics).toMatchObject({
      callerTalkMs: 1500,
      agentTalkMs: 2000,
      callerTurns: 1,
      agentTurns: 2,
      interruptions: 1,
      turnLatencyP50Ms: 400,
      toolExecutions: { succeeded: 1 },
    });
    expect(body.retention).toEqual({
      policyDays: 30,
      expiresAt: new Date(Date.parse('2026-03-10T15:01:00Z') + 30 * 86_400_000).toISOString(),
      onLegalHold: false,
      deletedAt: null,
    });
    expect(body.recording.sizeBytes).toBe(WAV.length);
    expect(body.recordingUrl).toMatch(/\/recording\/signed\?/);
  });

  it('gives a client viewer tool names, statuses and outcomes but no bodies', async () => {
    const res = await call(app, world.as.viewerA, 'GET', detailUrl());
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.view).toBe('client');
    expect(body.toolExecutions[0]).toMatchObject({
      toolName: 'book_slot',
      status: 'succeeded',
      durationMs: 120,
    });
    expect(body.toolExecutions[0].attempts[0]).toMatchObject({ outcome: 'succeeded' });
    expect(res.body).not.toContain('request-body');
    expect(res.body).not.toContain('response-body');
    expect(res.body).not.toContain('arg-body');
  });

  it('refuses bad ids, unknown calls and other tenants', async () => {
    expect((await call(app, world.as.admin, 'GET', detailUrl('nope'))).statusCode).toBe(400);
    const unknown = await call(app, world.as.admin, 'GET', detailUrl(newId('call')));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('CALL_NOT_FOUND');
    expect((await call(app, world.as.viewerB, 'GET', detailUrl())).statusCode).toBe(403);
    // A call of tenant A asked for under tenant B is not found (row-level security), even for staff.
    expect((await call(app, world.as.admin, 'GET', detailUrl(callId, world.tenantB))).statusCode).toBe(404);
  });
});

describe('recording playback', () => {
  const url = () => `${detailUrl()}/recording`;

  it('streams the whole file and byte ranges: first bytes, middle, suffix; 416 past the end', async () => {
    const whole = await get(world.as.viewerA, url());
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.rawPayload.equals(WAV)).toBe(true);

    const first = await get(world.as.viewerA, url(), { range: 'bytes=0-3' });
    expect(first.statusCode).toBe(206);
    expect(first.headers['content-range']).toBe(`bytes 0-3/${WAV.length}`);
    expect(first.body).toBe('RIFF');

    const middle = await get(world.as.viewerA, url(), { range: 'bytes=8-11' });
    expect(middle.statusCode).toBe(206);
    expect(middle.body).toBe('WAVE');

    const suffix = await get(world.as.viewerA, url(), { range: 'bytes=-3' });
    expect(suffix.statusCode).toBe(206);
    expect(suffix.body).toBe('xyz');
    expect(suffix.headers['content-range']).toBe(`bytes ${WAV.length - 3}-${WAV.length - 1}/${WAV.length}`);

    const past = await get(world.as.viewerA, url(), { range: `bytes=${WAV.length + 10}-` });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${WAV.length}`);
    expect(past.json().error.code).toBe('RANGE_NOT_SATISFIABLE');
  });

  it('sets Content-Disposition for ?download=1', async () => {
    const res = await get(world.as.viewerA, `${url()}?download=1`);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${callId}.wav"`);
  });

  it('refuses other tenants, calls without a recording, and no credentials', async () => {
    expect((await get(world.as.viewerB, url())).statusCode).toBe(403);
    expect((await get(null, url())).statusCode).toBe(401);
    const none = await get(world.as.viewerA, `${detailUrl(bareCallId)}/recording`);
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe('RECORDING_NOT_FOUND');
  });

  it('plays through the signed link without credentials; refuses expired, other-call and tampered links', async () => {
    const link: string = (await call(app, world.as.viewerA, 'GET', detailUrl())).json().recordingUrl;
    const ok = await get(null, link, { range: 'bytes=0-3' });
    expect(ok.statusCode).toBe(206);
    expect(ok.body).toBe('RIFF');

    const otherCall = link.replace(callId, bareCallId);
    expect((await get(null, otherCall)).json().error.code).toBe('SIGNED_URL_INVALID');
    const tampered = link.replace(/signature=([^&])/, (_, c: string) => `signature=${c === 'A' ? 'B' : 'A'}`);
    expect((await get(null, tampered)).statusCode).toBe(403);
    const otherViewer = link.replace(/viewer=[^&]+/, `viewer=${world.users.viewerB}`);
    expect((await get(null, otherViewer)).statusCode).toBe(403);

    const saved = now;
    now = new Date(saved.getTime() + 10 * 60_000);
    try {
      const expired = await get(null, link);
      expect(expired.statusCode).toBe(403);
      expect(expired.json().error.message).toMatch(/expired/);
    } finally {
      now = saved;
    }
  });
});

describe('KPIs', () => {
  it("answers a tenant's totals, series and previous period", async () => {
    const res = await call(
      app,
      world.as.viewerA,
      'GET',
      `/api/tenants/${world.tenantA}/kpis?from=2026-03-09&to=2026-03-11`,
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.totals).toMatchObject({
      calls: 2,
      answeredCalls: 1,
      completedCalls: 1,
      containedCalls: 1,
      toolCalls: 1,
      toolSuccessRate: 1,
      avgTurnLatencyMs: 400,
      outcomes: { appointment_booked: 1 },
      costUsd: '0.000400',
    });
    expect(body.series.map((d: { day: string; calls: number }) => [d.day, d.calls])).toEqual([
      ['2026-03-09', 0],
      ['2026-03-10', 2],
      ['2026-03-11', 0],
    ]);
    expect(body.previous).toMatchObject({ from: '2026-03-06', to: '2026-03-08', totals: { calls: 0 } });
  });

  it('refuses bad periods and other tenants', async () => {
    const base = `/api/tenants/${world.tenantA}/kpis`;
    expect(
      (await call(app, world.as.viewerA, 'GET', `${base}?from=2026-03-12&to=2026-03-01`)).statusCode,
    ).toBe(400);
    expect((await call(app, world.as.viewerA, 'GET', `${base}?from=yesterday`)).statusCode).toBe(400);
    expect((await call(app, world.as.viewerA, 'GET', `${base}?from=2026-02-31`)).statusCode).toBe(400);
    expect((await call(app, world.as.viewerB, 'GET', base)).statusCode).toBe(403);
  });

  it('gives internal staff a row per tenant, and refuses client viewers', async () => {
    const res = await call(app, world.as.admin, 'GET', '/api/kpis?from=2026-03-10&to=2026-03-10');
    expect(res.statusCode).toBe(200);
    const row = res.json().items.find((r: { tenantId: string }) => r.tenantId === world.tenantA);
    expect(row.totals.calls).toBe(2);
    expect((await call(app, world.as.viewerA, 'GET', '/api/kpis')).statusCode).toBe(403);
  });

  it('sets the tenant time zone through the tenant update route, validated', async () => {
    const url = `/api/tenants/${world.tenantA}`;
    const bad = await call(app, world.as.admin, 'PATCH', url, { timezone: 'Mars/Olympus' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('TIMEZONE_INVALID');
    const ok = await call(app, world.as.admin, 'PATCH', url, { timezone: 'America/New_York' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().timezone).toBe('America/New_York');
  });
});
