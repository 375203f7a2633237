import { describe, expect } from 'vitest';
import { call } from '../../../test/support/app.js';
import { appTest } from '../../../test/support/app-test.js';
import { tables } from '../../db/index.js';
import { expectStatus } from '../control-fixtures.test-support.js';

const test = appTest();

interface TenantBody {
  id: string;
  name: string;
  slug: string;
  status: string;
  maxConcurrentCalls: number;
}

describe('tenants', () => {
  test('creates, reads, lists with pagination, renames and suspends, auditing each change', async ({
    app,
    world,
    backend,
  }) => {
    const created = await expectStatus<TenantBody>(app, world.as.admin, 'POST', '/api/tenants', 201, {
      name: 'Cedar Clinic',
      slug: 'cedar-clinic',
      maxConcurrentCalls: 3,
    });
    expect(created).toMatchObject({ status: 'active', maxConcurrentCalls: 3 });
    expect(
      await expectStatus(app, world.as.operator, 'GET', `/api/tenants/${created.id}`, 200),
    ).toMatchObject({ slug: 'cedar-clinic' });
    const page1 = await expectStatus<{ items: TenantBody[]; nextCursor: string }>(
      app,
      world.as.operator,
      'GET',
      '/api/tenants?limit=2',
      200,
    );
    expect(page1.items.map((t) => t.id)).toEqual([created.id, world.tenantB]);
    const page2 = await expectStatus<{ items: TenantBody[]; nextCursor: null }>(
      app,
      world.as.operator,
      'GET',
      `/api/tenants?limit=2&cursor=${page1.nextCursor}`,
      200,
    );
    expect(page2.items.map((t) => t.id)).toContain(world.tenantA);

    const patch = (body: object) =>
      expectStatus<TenantBody>(app, world.as.operator, 'PATCH', `/api/tenants/${created.id}`, 200, body);
    const renamed = await patch({ name: 'Cedar' });
    expect(renamed.name).toBe('Cedar');
    const suspended = await patch({ status: 'suspended' });
    expect(suspended.status).toBe('suspended');
    const audit = (await backend.owner.select().from(tables.auditLog)).filter(
      (r) => r.targetId === created.id,
    );
    expect(audit.map((r) => r.action)).toEqual(
      expect.arrayContaining(['tenant.create', 'tenant.update', 'tenant.suspend']),
    );
    expect(audit.find((r) => r.action === 'tenant.suspend')?.summary).toEqual({
      before: { status: 'active' },
      after: { status: 'suspended' },
    });
  });

  test('refuses bad input with field names and duplicate slugs, writing nothing', async ({
    app,
    world,
    backend,
  }) => {
    const count = async () => (await backend.owner.select().from(tables.tenants)).length;
    const before = await count();
    const bad = await call(app, world.as.admin, 'POST', '/api/tenants', {
      name: '',
      slug: 'Not A Slug',
      maxConcurrentCalls: 0,
    });
    expect(bad.statusCode).toBe(400);
    expect((bad.json().error.details as { field: string }[]).map((d) => d.field)).toEqual(
      expect.arrayContaining(['body/name', 'body/slug', 'body/maxConcurrentCalls']),
    );
    const dup = await call(app, world.as.admin, 'POST', '/api/tenants', {
      name: 'Again',
      slug: 'cedar-clinic',
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('SLUG_TAKEN');
    expect(await count()).toBe(before);
  });

  test('lets a client viewer read only their own tenant and change nothing', async ({ app, world }) => {
    expect((await call(app, world.as.viewerA, 'GET', `/api/tenants/${world.tenantA}`)).statusCode).toBe(200);
    expect((await call(app, world.as.viewerA, 'GET', `/api/tenants/${world.tenantB}`)).statusCode).toBe(403);
    expect((await call(app, world.as.viewerA, 'GET', '/api/tenants')).statusCode).toBe(403);
    expect(
      (await call(app, world.as.viewerA, 'PATCH', `/api/tenants/${world.tenantA}`, { name: 'Mine' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await call(app, world.as.viewerA, 'POST', '/api/tenants', { name: 'X', slug: 'x' })).statusCode,
    ).toBe(403);
  });
});
