import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, call } from '../../../test/support/app.js';
import { openTestApp } from '../../../test/support/app-test.js';
import type { TestBackend } from '../../../test/support/backend.js';
import type { World } from '../../../test/support/fixtures.js';
import { seedCalls } from '../../analytics/index.js';
import { rawQuery, withTenant } from '../../db/index.js';
import { publishCallUpdate } from '../../runtime/index.js';

let backend: TestBackend;
let app: FastifyInstance;
let world: World;
let baseUrl: string;

beforeAll(async () => {
  ({ backend, app, world } = await openTestApp());
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  await seedCalls(backend.deps, { tenantId: world.tenantA, calls: 60, batchSize: 25 });
  await seedCalls(backend.deps, { tenantId: world.tenantB, calls: 15, seed: 7 });
}, 180_000); // migrating an embedded PGlite is slow on a busy 2-core machine
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

const list = (path: string) => call(app, world.as.viewerA, 'GET', path);

describe('GET /api/tenants/:tenantId/calls', () => {
  it('pages a tenant’s calls newest first with filters and an opaque cursor', async () => {
    const first = await list(`/api/tenants/${world.tenantA}/calls?limit=25`);
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.items).toHaveLength(25);
    expect(page.items[0]).toMatchObject({
      tenantId: world.tenantA,
      hasRecording: false,
      legalHold: expect.any(Boolean),
    });
    expect(Object.keys(page.items[0]).sort()).toEqual(
      [
        'agentId',
        'agentName',
        'agentVersionId',
        'durationMs',
        'endReason',
        'endedAt',
        'fromNumber',
        'id',
        'legalHold',
        'hasRecording',
        'outcome',
        'startedAt',
        'status',
        'toNumber',
        'transport',
        'tenantId',
      ].sort(),
    );
    const ids = new Set(page.items.map((c: { id: string }) => c.id));
    let cursor = page.nextCursor as string | null;
    while (cursor) {
      const next = (await list(`/api/tenants/${world.tenantA}/calls?limit=25&cursor=${cursor}`)).json();
      for (const c of next.items) ids.add(c.id);
      cursor = next.nextCursor;
    }
    expect(ids.size).toBe(60);

    const failed = (await list(`/api/tenants/${world.tenantA}/calls?status=failed&limit=200`)).json();
    expect(failed.items.every((c: { status: string }) => c.status === 'failed')).toBe(true);
    const held = (
      await list(`/api/tenants/${world.tenantA}/calls?legalHold=false&minDurationMs=1000&limit=200`)
    ).json();
    expect(held.items.length).toBeGreaterThan(0);
    expect(held.items.every((c: { legalHold: boolean }) => !c.legalHold)).toBe(true);
  });

  it('searches transcripts', async () => {
    const said = await withTenant(backend.deps.db, world.tenantA, (tx) =>
      rawQuery<{ call_id: string }>(
        tx,
        sql`select distinct call_id from utterances where text ilike '%water heater%'`,
      ),
    );
    const res = (
      await list(`/api/tenants/${world.tenantA}/calls?q=${encodeURIComponent('"water heater"')}&limit=200`)
    ).json();
    expect(res.items.map((c: { id: string }) => c.id).sort()).toEqual(said.rows.map((r) => r.call_id).sort());
  });

  it.each([
    ['a malformed cursor', 'cursor=not-a-cursor!', 'CURSOR_INVALID'],
    ['a forged cursor', `cursor=${Buffer.from('2026-01-01|call_x').toString('base64url')}`, 'CURSOR_INVALID'],
    ['an unknown status', 'status=happy', 'VALIDATION_FAILED'],
    ['a date that is not one', 'from=yesterday', 'VALIDATION_FAILED'],
    ['an empty range', 'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'VALIDATION_FAILED'],
    ['min above max', 'minDurationMs=5000&maxDurationMs=10', 'VALIDATION_FAILED'],
    ['a caller that is not a number', 'caller=%27%20or%201%3D1', 'VALIDATION_FAILED'],
    ['an unknown filter', 'colour=red', 'VALIDATION_FAILED'],
    ['a limit too large', 'limit=100000', 'VALIDATION_FAILED'],
  ])('refuses %s with 400 %s', async (_what, query, code) => {
    const res = await list(`/api/tenants/${world.tenantA}/calls?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
  });

  it('keeps viewers to their own tenant', async () => {
    const res = await list(`/api/tenants/${world.tenantB}/calls`);
    expect(res.statusCode).toBe(403);
    const own = (
      await call(app, world.as.viewerB, 'GET', `/api/tenants/${world.tenantB}/calls?limit=200`)
    ).json();
    expect(own.items).toHaveLength(15);
    expect(own.items.every((c: { tenantId: string }) => c.tenantId === world.tenantB)).toBe(true);
  });
});

describe('GET /api/calls (agency staff)', () => {
  it('lists every tenant’s calls, or one tenant’s, to internal roles only', async () => {
    const all = (await call(app, world.as.operator, 'GET', '/api/calls?limit=200')).json();
    const tenants = new Set(all.items.map((c: { tenantId: string }) => c.tenantId));
    expect(tenants).toEqual(new Set([world.tenantA, world.tenantB]));
    const onlyB = (
      await call(app, world.as.admin, 'GET', `/api/calls?tenantId=${world.tenantB}&limit=200`)
    ).json();
    expect(onlyB.items).toHaveLength(15);
    expect((await call(app, world.as.viewerA, 'GET', '/api/calls')).statusCode).toBe(403);
    expect((await call(app, world.as.operator, 'GET', '/api/calls?tenantId=nope')).statusCode).toBe(400);
  });
});

describe('GET …/calls.csv', () => {
  it('streams the filtered calls as CSV with a header row', async () => {
    const res = await list(`/api/tenants/${world.tenantA}/calls.csv?status=completed`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="calls-tnt_[0-9a-z]+\.csv"$/);
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'call_id,tenant_id,started_at,ended_at,duration_ms,status,end_reason,outcome,agent_id,agent_name,from_number,to_number,transport,has_recording,legal_hold,summary,success',
    );
    const completed = (await list(`/api/tenants/${world.tenantA}/calls?status=completed&limit=200`)).json();
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(
      completed.items.map((c: { id: string }) => c.id),
    );
  });

  it('defuses a formula a caller could plant in a stored field', async () => {
    await withTenant(backend.deps.db, world.tenantA, (tx) =>
      rawQuery(
        tx,
        sql`update calls set outcome = '=HYPERLINK("http://evil","x")' where id = (select id from calls order by started_at desc limit 1)`,
      ),
    );
    const res = await list(`/api/tenants/${world.tenantA}/calls.csv`);
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(res.body).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it('refuses bad filters before streaming, and other tenants', async () => {
    const bad = await list(
      `/api/tenants/${world.tenantA}/calls.csv?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    expect((await list(`/api/tenants/${world.tenantB}/calls.csv`)).statusCode).toBe(403);
    const all = await call(app, world.as.admin, 'GET', '/api/calls.csv');
    expect(all.body.trimEnd().split('\r\n')).toHaveLength(1 + 75);
  });
});

/** Reads server-sent events until `until` matches or the server closes the stream. */
async function readEvents(
  res: Response,
  until?: (event: string) => boolean,
): Promise<Array<{ event: string; data: unknown }>> {
  const events: Array<{ event: string; data: unknown }> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body!) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event) {
        events.push({ event, data: data ? JSON.parse(data) : undefined });
        if (until?.(event)) return events;
      }
      end = buffer.indexOf('\n\n');
    }
  }
  return events;
}

describe('live streams', () => {
  it('sends an ended call’s snapshot with its turns and closes', async () => {
    const ended = (await list(`/api/tenants/${world.tenantA}/calls?status=completed&limit=1`)).json()
      .items[0];
    const res = await app.inject({
      method: 'GET',
      url: `/api/tenants/${world.tenantA}/calls/${ended.id}/live`,
      headers: authHeaders(world.as.viewerA),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const [snapshot, ...rest] = res.body.trim().split('\n\n');
    expect(rest).toEqual([]);
    expect(snapshot).toMatch(/^event: snapshot\ndata: /);
    const data = JSON.parse(snapshot!.split('\ndata: ')[1]!);
    expect(data).toMatchObject({ live: false, call: { id: ended.id, status: 'completed' } });
    expect(data.turns.length).toBeGreaterThanOrEqual(2);
    expect(data.turns[0]).toMatchObject({ seq: 1, speaker: 'agent', text: expect.any(String) });
  });

  it('follows a running call and closes when it ends', async () => {
    const id = 'call_0000000000000000000000live';
    await withTenant(backend.deps.db, world.tenantA, (tx) =>
      rawQuery(
        tx,
        sql`insert into calls (id, tenant_id, status) values (${id}, ${world.tenantA}, 'in_progress')`,
      ),
    );
    const res = await fetch(`${baseUrl}/api/tenants/${world.tenantA}/calls/${id}/live`, {
      headers: authHeaders(world.as.viewerA),
    });
    expect(res.status).toBe(200);
    const reading = readEvents(res);
    const update = (type: string, data: Record<string, unknown>) =>
      publishCallUpdate(backend.store, {
        callId: id,
        tenantId: world.tenantA,
        type,
        at: new Date().toISOString(),
        data,
      });
    // The snapshot is written once subscribed; wait for it through the tenant stream's own ordering.
    await update('utterance', { seq: 1, speaker: 'agent', text: 'Hello' });
    await update('call_ended', { status: 'completed', reason: 'caller_hangup' });
    const events = await reading;
    expect(events[0]).toMatchObject({ event: 'snapshot', data: { live: true, call: { id } } });
    expect(events.map((e) => e.event).slice(-1)).toEqual(['call_ended']);
  });

  it('relays a tenant’s calls to its viewer and every tenant’s to staff', async () => {
    const tenantStream = await fetch(`${baseUrl}/api/tenants/${world.tenantA}/calls/live`, {
      headers: authHeaders(world.as.viewerA),
    });
    const allStream = await fetch(`${baseUrl}/api/calls/live`, { headers: authHeaders(world.as.operator) });
    expect(tenantStream.status).toBe(200);
    expect(allStream.status).toBe(200);
    const tenantEvents = readEvents(tenantStream, (e) => e === 'call_started');
    const allEvents = readEvents(allStream, (e) => e === 'call_ended');
    await publishCallUpdate(backend.store, {
      callId: 'call_0000000000000000000000000b',
      tenantId: world.tenantB,
      type: 'call_started',
      at: new Date().toISOString(),
    });
    await publishCallUpdate(backend.store, {
      callId: 'call_0000000000000000000000000a',
      tenantId: world.tenantA,
      type: 'call_started',
      at: new Date().toISOString(),
    });
    await publishCallUpdate(backend.store, {
      callId: 'call_0000000000000000000000000b',
      tenantId: world.tenantB,
      type: 'call_ended',
      at: new Date().toISOString(),
    });
    const tenant = await tenantEvents;
    const all = await allEvents;
    await tenantStream.body?.cancel();
    await allStream.body?.cancel();
    expect(tenant.map((e) => e.event)).toEqual(['snapshot', 'call_started']);
    // The viewer never sees tenant B's call.
    expect(tenant[1]!.data).toMatchObject({ tenantId: world.tenantA });
    expect(all.map((e) => e.event)).toEqual(['snapshot', 'call_started', 'call_started', 'call_ended']);
    const denied = await fetch(`${baseUrl}/api/calls/live`, { headers: authHeaders(world.as.viewerA) });
    expect(denied.status).toBe(403);
  });

  it('answers 404 for a call that is not there', async () => {
    const res = await call(
      app,
      world.as.viewerA,
      'GET',
      `/api/tenants/${world.tenantA}/calls/call_0000000000000000000000none/live`,
    );
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('CALL_NOT_FOUND');
  });
});
