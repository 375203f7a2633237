import { count } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, call } from '../../test/support/app.js';
import { openTestApp } from '../../test/support/app-test.js';
import type { TestBackend } from '../../test/support/backend.js';
import type { World } from '../../test/support/fixtures.js';
import { tables } from '../db/index.js';

let backend: TestBackend;
let app: FastifyInstance;
let world: World;

beforeAll(async () => {
  ({ backend, app, world } = await openTestApp({ BODY_LIMIT_BYTES: '2048' }));
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

const tenantCount = async () => (await backend.owner.select({ n: count() }).from(tables.tenants))[0]!.n;

function post(payload: string, contentType = 'application/json') {
  return app.inject({
    method: 'POST',
    url: '/api/tenants',
    headers: { ...authHeaders(world.as.admin), 'content-type': contentType },
    payload,
  });
}

describe('bad input is answered clearly and writes nothing', () => {
  const cases: [string, () => ReturnType<typeof post>, number, string][] = [
    ['malformed JSON', () => post('{"name": "Acme", "slug": '), 400, 'INVALID_JSON'],
    ['an empty JSON body', () => post(''), 400, 'INVALID_JSON'],
    [
      'a wrong type',
      () => post(JSON.stringify({ name: 'Acme', slug: 'acme-x', maxConcurrentCalls: '5' })),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'an unknown field',
      () => post(JSON.stringify({ name: 'Acme', slug: 'acme-y', plan: 'gold' })),
      400,
      'VALIDATION_FAILED',
    ],
    ['a missing field', () => post(JSON.stringify({ name: 'Acme' })), 400, 'VALIDATION_FAILED'],
    [
      'a value out of range',
      () => post(JSON.stringify({ name: 'Acme', slug: 'Not A Slug!' })),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'an oversized body',
      () => post(JSON.stringify({ name: 'x'.repeat(5000), slug: 'big' })),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['an unsupported content type', () => post('name=Acme', 'text/csv'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ];
  for (const [what, send, status, code] of cases) {
    it(`refuses ${what} with ${status} ${code}`, async () => {
      const before = await tenantCount();
      const res = await send();
      expect(res.statusCode).toBe(status);
      const body = res.json();
      expect(body.error.code).toBe(code);
      expect(body.error.requestId).toBe(res.headers['x-request-id']);
      expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/);
      expect(await tenantCount()).toBe(before);
    });
  }

  it('names each offending field', async () => {
    const res = await post(
      JSON.stringify({ name: '', slug: 'ok-slug', plan: 'gold', maxConcurrentCalls: 0 }),
    );
    const fields = res
      .json()
      .error.details.map((d: { field: string }) => d.field)
      .sort();
    expect(fields).toEqual(['body/maxConcurrentCalls', 'body/name', 'body/plan']);
  });

  it('refuses a malformed id in the path before touching the database', async () => {
    const res = await call(app, world.as.admin, 'GET', '/api/tenants/not-an-id');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe('params/tenantId');
  });

  it('answers unknown routes in the same error format', async () => {
    const res = await call(app, world.as.admin, 'GET', '/api/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('audits refused state changes with the error code', async () => {
    await post(JSON.stringify({ name: 'Acme', slug: 'acme-z', plan: 'gold' }));
    const rows = await backend.owner.select().from(tables.auditLog).orderBy(tables.auditLog.id);
    const failure = rows.filter((r) => r.action === 'tenant.create' && r.outcome === 'failure').at(-1);
    expect(failure).toMatchObject({
      actorKind: 'user',
      actorId: world.users.admin,
      summary: { status: 400, code: 'VALIDATION_FAILED' },
    });
  });

  it('audits successful state changes with actor, tenant, target and before/after', async () => {
    const created = await call(app, world.as.admin, 'POST', '/api/tenants', {
      name: 'Audited',
      slug: 'audited',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const renamed = await call(app, world.as.operator, 'PATCH', `/api/tenants/${id}`, {
      name: 'Audited Inc',
    });
    expect(renamed.statusCode).toBe(200);
    const rows = (await backend.owner.select().from(tables.auditLog).orderBy(tables.auditLog.id)).filter(
      (r) => r.targetId === id,
    );
    expect(rows.map((r) => [r.action, r.actorId, r.tenantId])).toEqual([
      ['tenant.create', world.users.admin, id],
      ['tenant.update', world.users.operator, id],
    ]);
    expect(rows[1]!.summary).toEqual({ before: { name: 'Audited' }, after: { name: 'Audited Inc' } });
    expect(rows[1]!.requestId).toBe(renamed.headers['x-request-id']);
  });
});

describe('HTTP hygiene', () => {
  it('sends security headers and a request id, and echoes a safe incoming one', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'trace-123' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    const unsafe = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\n' },
    });
    expect(unsafe.headers['x-request-id']).toMatch(/^req_/);
  });

  it('reports readiness of the database and the store', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.json()).toEqual({ status: 'ok', database: 'ok', store: 'ok' });
  });

  it('serves the OpenAPI document with every API route', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.paths['/api/tenants'].post.requestBody).toBeDefined();
    const documented = Object.keys(doc.paths).length;
    const apiRoutes = new Set(
      app.routeTable
        .filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))
        .map((r) => r.url),
    );
    expect(documented).toBeGreaterThanOrEqual(apiRoutes.size);
  });
});
