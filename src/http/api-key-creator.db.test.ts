import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { call, loginAs } from '../../test/support/app.js';
import { type AppFixtures, appTest } from '../../test/support/app-test.js';
import { TEST_PASSWORD } from '../../test/support/fixtures.js';
import { addMembership, createApiKey, createUser } from '../auth/index.js';
import { tables } from '../db/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';

const test = appTest();

async function newAdminWithKey({ app, backend }: Pick<AppFixtures, 'app' | 'backend'>) {
  const tag = randomBytes(4).toString('hex');
  const user = await createUser(backend.deps, SYSTEM_ACTOR, {
    email: `keymaker-${tag}@example.com`,
    name: 'Key maker',
    password: TEST_PASSWORD,
    platformRole: 'internal_admin',
  });
  const session = await loginAs(app, user.email, TEST_PASSWORD);
  const created = await call(app, session, 'POST', '/api/api-keys', { name: 'ci', role: 'internal_admin' });
  expect(created.statusCode).toBe(201);
  return { userId: user.id, key: { apiKey: created.json().key as string } };
}

describe('API keys act with at most their creator’s current rights', () => {
  test('a demoted admin’s admin key acts as an operator, and as nothing once the platform role is gone', async ({
    app,
    world,
    backend,
  }) => {
    const { userId, key } = await newAdminWithKey({ app, backend });
    expect((await call(app, key, 'GET', '/api/api-keys')).statusCode).toBe(200);

    const demote = await call(app, world.as.admin, 'PATCH', `/api/users/${userId}`, {
      platformRole: 'internal_operator',
    });
    expect(demote.statusCode).toBe(200);
    expect((await call(app, key, 'GET', '/api/api-keys')).statusCode).toBe(403);
    const newUser = await call(app, key, 'POST', '/api/users', {
      email: `escalate-${randomBytes(3).toString('hex')}@example.com`,
      name: 'Escalate',
      platformRole: 'internal_admin',
    });
    expect(newUser.statusCode).toBe(403);
    // Operator rights still work: the key is capped, not dead.
    expect((await call(app, key, 'GET', '/api/tenants')).statusCode).toBe(200);

    await call(app, world.as.admin, 'PATCH', `/api/users/${userId}`, { platformRole: null });
    expect((await call(app, key, 'GET', '/api/tenants')).statusCode).toBe(401);
  });

  test('a disabled creator’s key is refused at the next request', async ({ app, world, backend }) => {
    const { userId, key } = await newAdminWithKey({ app, backend });
    expect((await call(app, key, 'GET', '/api/api-keys')).statusCode).toBe(200);
    expect((await call(app, world.as.admin, 'POST', `/api/users/${userId}/disable`)).statusCode).toBe(200);
    const refused = await call(app, key, 'GET', '/api/api-keys');
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('UNAUTHENTICATED');
  });

  test('a key made with a key answers to the person behind the first key', async ({
    app,
    world,
    backend,
  }) => {
    const { userId, key } = await newAdminWithKey({ app, backend });
    const child = await call(app, key, 'POST', '/api/api-keys', { name: 'child', role: 'internal_admin' });
    expect(child.statusCode).toBe(201);
    expect(child.json().createdBy).toBe(userId);
    await call(app, world.as.admin, 'POST', `/api/users/${userId}/disable`);
    expect((await call(app, { apiKey: child.json().key }, 'GET', '/api/tenants')).statusCode).toBe(401);
  });

  test('a tenant key stops when its creator loses the membership', async ({ app, world, backend }) => {
    const tag = randomBytes(4).toString('hex');
    const member = await createUser(backend.deps, SYSTEM_ACTOR, {
      email: `member-${tag}@example.com`,
      name: 'Member',
      password: TEST_PASSWORD,
      platformRole: null,
    });
    await addMembership(backend.deps, SYSTEM_ACTOR, {
      userId: member.id,
      tenantId: world.tenantA,
      role: 'client_viewer',
    });
    const created = await createApiKey(
      backend.deps,
      { kind: 'user', id: member.id },
      { name: 'portal', role: 'client_viewer', tenantId: world.tenantA },
    );
    const key = { apiKey: created.key };
    expect((await call(app, key, 'GET', `/api/tenants/${world.tenantA}/calls`)).statusCode).toBe(200);
    const removed = await call(
      app,
      world.as.admin,
      'DELETE',
      `/api/tenants/${world.tenantA}/members/${member.id}`,
    );
    expect(removed.statusCode).toBe(204);
    expect((await call(app, key, 'GET', `/api/tenants/${world.tenantA}/calls`)).statusCode).toBe(401);
  });

  test('audits a revocation with what the key was', async ({ app, world, backend }) => {
    const { key } = await newAdminWithKey({ app, backend });
    const me = await call(app, key, 'GET', '/api/auth/me');
    const keyId = me.json().id as string;
    expect((await call(app, world.as.admin, 'DELETE', `/api/api-keys/${keyId}`)).statusCode).toBe(200);
    const [row] = await backend.owner
      .select()
      .from(tables.auditLog)
      .where(and(eq(tables.auditLog.action, 'api_key.revoke'), eq(tables.auditLog.targetId, keyId)));
    expect(row?.outcome).toBe('success');
    expect(row?.summary).toMatchObject({ before: { role: 'internal_admin' } });
  });
});
