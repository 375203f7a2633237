import { type N8nEmulator, startN8nEmulator } from '@switchboard/sandbox';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Credentials, call } from '../../../test/support/app.js';
import { openTestApp } from '../../../test/support/app-test.js';
import type { TestBackend } from '../../../test/support/backend.js';
import type { World } from '../../../test/support/fixtures.js';
import { insertConnection, insertTool } from '../../gateway/gateway.test-support.js';
import type { GatewayTool } from '../../gateway/index.js';
import { newId } from '../../lib/ids.js';

let backend: TestBackend;
let app: FastifyInstance;
let world: World;
let n8n: N8nEmulator;
let tool: GatewayTool;
const SECRET = 'route-test-secret-5d1c';
const ARGS = { name: 'Grace Hopper', date: '2026-12-24' };

beforeAll(async () => {
  ({ backend, app, world } = await openTestApp({ OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' }));
  n8n = await startN8nEmulator();
  n8n.installWorkflow({
    path: 'route-book',
    auth: { type: 'header', name: 'X-Hook-Token', value: SECRET },
    script: { otherwise: { type: 'json', body: { confirmation: 'B-{{body.args.date}}' } } },
  });
  const connectionId = await insertConnection(backend.deps, world.tenantA, {
    baseUrl: n8n.url,
    auth: { kind: 'header', name: 'X-Hook-Token', value: SECRET },
  });
  tool = await insertTool(backend.deps, world.tenantA, { webhookPath: 'route-book', connectionId });
});
afterAll(async () => {
  await app?.close();
  await n8n?.close();
  await backend?.close();
});

const testUrl = (tenantId: string, toolId: string) => `/api/tenants/${tenantId}/tools/${toolId}/test`;
const listUrl = (tenantId: string, query = '') => `/api/tenants/${tenantId}/tool-executions${query}`;

async function runTest(who: Credentials, args: unknown = ARGS) {
  return call(app, who, 'POST', testUrl(world.tenantA, tool.id), { arguments: args });
}

describe('POST /api/tenants/:tenantId/tools/:toolId/test', () => {
  it('executes the tool for an operator and answers the outcome', async () => {
    const res = await runTest(world.as.operator);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      status: 'succeeded',
      attempts: 1,
      result: { confirmation: 'B-2026-12-24' },
    });
    expect(res.json().executionId).toMatch(/^tex_/);
  });

  it('answers a rejected outcome (not an HTTP error) for arguments the schema refuses', async () => {
    const res = await runTest(world.as.admin, { date: 'tomorrow' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      ok: false,
      status: 'rejected',
      error: {
        code: 'arguments_invalid',
        issues: expect.arrayContaining([{ path: '/name', message: 'is required' }]),
      },
    });
  });

  it('refuses viewers, strangers and other tenants', async () => {
    expect((await runTest(world.as.viewerA)).statusCode).toBe(403);
    expect((await runTest(null)).statusCode).toBe(401);
    const viaB = await call(app, world.as.operator, 'POST', testUrl(world.tenantB, tool.id), {
      arguments: ARGS,
    });
    expect(viaB.statusCode).toBe(404);
    expect(viaB.json().error.code).toBe('TOOL_NOT_FOUND');
    const unknown = await call(app, world.as.operator, 'POST', testUrl(world.tenantA, newId('tool')), {
      arguments: ARGS,
    });
    expect(unknown.json().error.code).toBe('TOOL_NOT_FOUND');
  });

  it('reaches n8n only through the SSRF guard: a loopback instance that is not allow-listed is refused', async () => {
    const guarded = await buildTestApp(backend);
    try {
      const res = await call(guarded, world.as.operator, 'POST', testUrl(world.tenantA, tool.id), {
        arguments: ARGS,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        ok: false,
        status: 'failed',
        attempts: 1,
        error: { code: 'address_blocked', retryable: false },
      });
    } finally {
      await guarded.close();
    }
  });

  it('validates the request body', async () => {
    const res = await call(app, world.as.operator, 'POST', testUrl(world.tenantA, tool.id), { args: ARGS });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });
});

describe('GET /api/tenants/:tenantId/tool-executions', () => {
  it('lists executions newest first with filters and pagination', async () => {
    const before = new Date(Date.now() - 60_000).toISOString();
    await runTest(world.as.operator);
    await runTest(world.as.operator, {});

    const all = await call(app, world.as.operator, 'GET', listUrl(world.tenantA, `?toolId=${tool.id}`));
    expect(all.statusCode).toBe(200);
    const items = all.json().items as Array<{ id: string; status: string; toolName: string }>;
    expect(items.length).toBeGreaterThanOrEqual(4);
    expect(items.map((i) => i.id)).toEqual([...items.map((i) => i.id)].sort().reverse());
    expect(items.every((i) => i.toolName === tool.name)).toBe(true);

    const rejected = await call(app, world.as.admin, 'GET', listUrl(world.tenantA, '?status=rejected'));
    expect(rejected.json().items.every((i: { status: string }) => i.status === 'rejected')).toBe(true);
    expect(rejected.json().items[0].error).toMatchObject({ code: 'arguments_invalid' });

    const page = await call(app, world.as.operator, 'GET', listUrl(world.tenantA, '?limit=1'));
    expect(page.json().items).toHaveLength(1);
    const next = await call(
      app,
      world.as.operator,
      'GET',
      listUrl(world.tenantA, `?limit=1&cursor=${page.json().nextCursor}`),
    );
    expect(next.json().items[0].id < page.json().items[0].id).toBe(true);

    const inWindow = await call(app, world.as.operator, 'GET', listUrl(world.tenantA, `?from=${before}`));
    expect(inWindow.json().items.length).toBeGreaterThanOrEqual(4);
    const future = new Date(Date.now() + 60_000).toISOString();
    const after = await call(app, world.as.operator, 'GET', listUrl(world.tenantA, `?from=${future}`));
    expect(after.json().items).toEqual([]);
    const byCall = await call(
      app,
      world.as.operator,
      'GET',
      listUrl(world.tenantA, `?callId=${newId('call')}`),
    );
    expect(byCall.json().items).toEqual([]);
  });

  it('keeps tenants apart and refuses client viewers', async () => {
    const other = await call(app, world.as.operator, 'GET', listUrl(world.tenantB));
    expect(other.statusCode).toBe(200);
    expect(other.json().items).toEqual([]);
    expect((await call(app, world.as.viewerA, 'GET', listUrl(world.tenantA))).statusCode).toBe(403);
    expect((await call(app, world.as.viewerB, 'GET', listUrl(world.tenantA))).statusCode).toBe(403);
  });
});

describe('GET /api/tenants/:tenantId/tool-executions/:id', () => {
  it('answers the execution with its attempts, the webhook secret redacted', async () => {
    const executed = (await runTest(world.as.operator)).json();
    const getExecution = (who: Credentials, tenantId: string) =>
      call(app, who, 'GET', `${listUrl(tenantId)}/${executed.executionId}`);
    const res = await getExecution(world.as.operator, world.tenantA);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      id: executed.executionId,
      status: 'succeeded',
      idempotencyKey: executed.executionId,
      arguments: ARGS,
      result: { confirmation: 'B-2026-12-24' },
      attempts: [{ attempt: 1, statusCode: 200, outcome: 'succeeded', errorClass: null }],
    });
    expect(body.attempts[0].request.headers['x-hook-token']).toBe('[redacted]');
    expect(res.body).not.toContain(SECRET);

    const elsewhere = await getExecution(world.as.operator, world.tenantB);
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.json().error.code).toBe('TOOL_EXECUTION_NOT_FOUND');
    const viewer = await getExecution(world.as.viewerA, world.tenantA);
    expect(viewer.statusCode).toBe(403);
  });
});

describe('GET /api/tenants/:tenantId/n8n-connections/:connectionId/circuits', () => {
  it("shows the circuits the test route opened: the shared gateway's, per tool and per connection", async () => {
    n8n.installWorkflow({ path: 'route-broken', script: { otherwise: { type: 'fail' } } });
    const connectionId = await insertConnection(backend.deps, world.tenantA, { baseUrl: n8n.url });
    const broken = await insertTool(backend.deps, world.tenantA, {
      webhookPath: 'route-broken',
      connectionId,
    });
    const healthy = await insertTool(backend.deps, world.tenantA, {
      webhookPath: 'route-book',
      connectionId,
    });
    const circuitsUrl = `/api/tenants/${world.tenantA}/n8n-connections/${connectionId}/circuits`;

    // DEFAULT_LIMITS.breakerThreshold failed executions, each counted once.
    for (let i = 0; i < 5; i++) {
      const res = await call(app, world.as.operator, 'POST', testUrl(world.tenantA, broken.id), {
        arguments: ARGS,
      });
      expect(res.json()).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'server_error' } });
    }
    const refused = await call(app, world.as.operator, 'POST', testUrl(world.tenantA, broken.id), {
      arguments: ARGS,
    });
    expect(refused.json()).toMatchObject({ status: 'circuit_open', attempts: 0 });

    expect((await call(app, world.as.viewerA, 'GET', circuitsUrl)).statusCode).toBe(403);
    const res = await call(app, world.as.operator, 'GET', circuitsUrl);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { connection: unknown; tools: { toolId: string }[] };
    expect(body.connection).toEqual({ state: 'closed', consecutiveFailures: 0, retryInMs: null });
    expect(body.tools.find((t) => t.toolId === broken.id)).toMatchObject({
      toolName: broken.name,
      state: 'open',
      consecutiveFailures: 5,
      retryInMs: expect.any(Number),
    });
    expect(body.tools.find((t) => t.toolId === healthy.id)).toMatchObject({ state: 'closed' });

    const viaB = await call(
      app,
      world.as.operator,
      'GET',
      `/api/tenants/${world.tenantB}/n8n-connections/${connectionId}/circuits`,
    );
    expect(viaB.statusCode).toBe(404);
  });
});
