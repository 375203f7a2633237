import type { FastifyInstance } from 'fastify';
import { describe, expect } from 'vitest';
import { call, loginAs } from '../../../test/support/app.js';
import { appTest } from '../../../test/support/app-test.js';
import { TEST_PASSWORD } from '../../../test/support/fixtures.js';
import { tables } from '../../db/index.js';
import { expectStatus } from '../control-fixtures.test-support.js';

const test = appTest();

interface UserBody {
  id: string;
  email: string;
  name: string;
  platformRole: string | null;
  disabledAt: string | null;
}
interface TokenBody {
  token: string;
  purpose: string;
  expiresAt: string;
}

const redeem = (app: FastifyInstance, token: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/password-tokens/redeem', payload: { token, password } });

describe('users', () => {
  test('invites a user who sets their own password with the one-time token', async ({
    app,
    world,
    backend,
  }) => {
    const invited = await expectStatus<UserBody & { invitation: TokenBody }>(
      app,
      world.as.admin,
      'POST',
      '/api/users',
      201,
      {
        email: 'New.Person@Example.com',
        name: 'New Person',
      },
    );
    expect(invited).toMatchObject({
      email: 'new.person@example.com',
      platformRole: null,
      invitation: { purpose: 'invite' },
    });
    const stored = JSON.stringify(await backend.owner.select().from(tables.passwordTokens));
    expect(stored).not.toContain(invited.invitation.token);

    expect((await redeem(app, invited.invitation.token, 'short')).statusCode).toBe(400);
    expect((await redeem(app, invited.invitation.token, 'a-long-enough-password')).statusCode).toBe(204);
    const reused = await redeem(app, invited.invitation.token, 'another-long-password');
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error.code).toBe('PASSWORD_TOKEN_INVALID');
    await loginAs(app, 'new.person@example.com', 'a-long-enough-password');

    const withPassword = await expectStatus<UserBody & { invitation: null }>(
      app,
      world.as.admin,
      'POST',
      '/api/users',
      201,
      {
        email: 'staff@example.com',
        name: 'Staff',
        password: 'staff-password-123',
        platformRole: 'internal_operator',
      },
    );
    expect(withPassword.invitation).toBeNull();
    const dup = await call(app, world.as.admin, 'POST', '/api/users', {
      email: 'STAFF@example.com',
      name: 'x',
    });
    expect(dup.statusCode).toBe(409);
  });

  test('reads, lists with pagination and updates name and role; nobody changes their own role', async ({
    app,
    world,
    backend,
  }) => {
    const page1 = await expectStatus<{ items: UserBody[]; nextCursor: string }>(
      app,
      world.as.operator,
      'GET',
      '/api/users?limit=2',
      200,
    );
    expect(page1.items).toHaveLength(2);
    const page2 = await expectStatus<{ items: UserBody[] }>(
      app,
      world.as.operator,
      'GET',
      `/api/users?limit=2&cursor=${page1.nextCursor}`,
      200,
    );
    expect(page2.items.map((u) => u.id)).not.toContain(page1.items[0]!.id);

    const viewer = world.users.viewerA;
    expect(await expectStatus(app, world.as.operator, 'GET', `/api/users/${viewer}`, 200)).toMatchObject({
      id: viewer,
    });
    const renamed = await expectStatus<UserBody>(app, world.as.admin, 'PATCH', `/api/users/${viewer}`, 200, {
      name: 'Vera',
    });
    expect(renamed.name).toBe('Vera');
    const promoted = await expectStatus<UserBody>(
      app,
      world.as.admin,
      'PATCH',
      `/api/users/${world.users.operator}`,
      200,
      {
        platformRole: 'internal_admin',
      },
    );
    expect(promoted.platformRole).toBe('internal_admin');
    await expectStatus(app, world.as.admin, 'PATCH', `/api/users/${world.users.operator}`, 200, {
      platformRole: 'internal_operator',
    });
    const self = await call(app, world.as.admin, 'PATCH', `/api/users/${world.users.admin}`, {
      platformRole: null,
    });
    expect(self.statusCode).toBe(409);
    const invalid = await call(app, world.as.admin, 'PATCH', `/api/users/${viewer}`, {
      platformRole: 'client_viewer',
      name: '',
    });
    expect(invalid.statusCode).toBe(400);
    expect((invalid.json().error.details as { field: string }[]).map((d) => d.field)).toEqual(
      expect.arrayContaining(['body/name']),
    );
    const audit = (await backend.owner.select().from(tables.auditLog)).find(
      (r) => r.action === 'user.role_change',
    );
    expect(audit?.summary).toEqual({
      before: { platformRole: 'internal_operator' },
      after: { platformRole: 'internal_admin' },
    });
  });

  test('disables a user (sessions end, sign-in fails) and enables them again', async ({ app, world }) => {
    const victim = await expectStatus<UserBody>(app, world.as.admin, 'POST', '/api/users', 201, {
      email: 'victim@example.com',
      name: 'Victim',
      password: TEST_PASSWORD,
      platformRole: 'internal_operator',
    });
    const session = await loginAs(app, 'victim@example.com', TEST_PASSWORD);
    const toggle = (action: 'disable' | 'enable') =>
      expectStatus<UserBody>(app, world.as.admin, 'POST', `/api/users/${victim.id}/${action}`, 200);
    const disabled = await toggle('disable');
    expect(disabled.disabledAt).not.toBeNull();
    expect((await call(app, session, 'GET', '/api/auth/me')).statusCode).toBe(401);
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'victim@example.com', password: TEST_PASSWORD },
    });
    expect(login.statusCode).toBe(401);
    const enabled = await toggle('enable');
    expect(enabled.disabledAt).toBeNull();
    await loginAs(app, 'victim@example.com', TEST_PASSWORD);
    expect(
      (await call(app, world.as.admin, 'POST', `/api/users/${world.users.admin}/disable`)).statusCode,
    ).toBe(409);
  });

  test('resets passwords: set by an admin, or chosen by the user through a reset token; old sessions end', async ({
    app,
    world,
    backend,
  }) => {
    const email = 'resetme@example.com';
    const user = await expectStatus<UserBody>(app, world.as.admin, 'POST', '/api/users', 201, {
      email,
      name: 'Reset',
      password: TEST_PASSWORD,
    });
    const before = await loginAs(app, email, TEST_PASSWORD);
    await expectStatus(app, world.as.admin, 'PUT', `/api/users/${user.id}/password`, 204, {
      password: 'admin-chosen-password',
    });
    expect((await call(app, before, 'GET', '/api/auth/me')).statusCode).toBe(401);
    const second = await loginAs(app, email, 'admin-chosen-password');

    const reset = await expectStatus<TokenBody>(
      app,
      world.as.admin,
      'POST',
      `/api/users/${user.id}/password-reset`,
      201,
    );
    expect(reset.purpose).toBe('reset');
    expect((await call(app, second, 'GET', '/api/auth/me')).statusCode).toBe(401);
    expect((await redeem(app, reset.token, 'user-chosen-password')).statusCode).toBe(204);
    await loginAs(app, email, 'user-chosen-password');
    const audit = JSON.stringify(await backend.owner.select().from(tables.auditLog));
    for (const secret of ['admin-chosen-password', 'user-chosen-password', reset.token])
      expect(audit).not.toContain(secret);
  });

  test('lists and removes memberships', async ({ app, world }) => {
    const members = await expectStatus<{ items: (UserBody & { role: string })[] }>(
      app,
      world.as.operator,
      'GET',
      `/api/tenants/${world.tenantA}/members`,
      200,
    );
    expect(members.items).toEqual([
      expect.objectContaining({ id: world.users.viewerA, role: 'client_viewer' }),
    ]);
    const memberships = await expectStatus<{ items: { tenantId: string }[] }>(
      app,
      world.as.operator,
      'GET',
      `/api/users/${world.users.viewerB}/memberships`,
      200,
    );
    expect(memberships.items.map((m) => m.tenantId)).toEqual([world.tenantB]);

    // Viewer B joins tenant A, then leaves it: what B may read follows.
    const membership = `/api/tenants/${world.tenantA}/members/${world.users.viewerB}`;
    const viewerBReadsTenantA = async () =>
      (await call(app, world.as.viewerB, 'GET', `/api/tenants/${world.tenantA}/calls`)).statusCode;
    await expectStatus(app, world.as.admin, 'PUT', membership, 204, { role: 'client_viewer' });
    expect(await viewerBReadsTenantA()).toBe(200);
    await expectStatus(app, world.as.admin, 'DELETE', membership, 204);
    expect(await viewerBReadsTenantA()).toBe(403);
    expect((await call(app, world.as.admin, 'DELETE', membership)).statusCode).toBe(404);
    const unknownUser = await call(
      app,
      world.as.admin,
      'PUT',
      `/api/tenants/${world.tenantA}/members/usr_00000000000000000000000000`,
      {
        role: 'client_viewer',
      },
    );
    expect(unknownUser.json().error.code).toBe('USER_NOT_FOUND');
  });

  test('lets only internal_admin change users; viewers cannot even read them', async ({ app, world }) => {
    const target = `/api/users/${world.users.viewerA}`;
    for (const [method, url, body] of [
      ['POST', '/api/users', { email: 'op@example.com', name: 'x' }],
      ['PATCH', target, { name: 'x' }],
      ['POST', `${target}/disable`, undefined],
      ['PUT', `${target}/password`, { password: 'operator-chosen-pw' }],
      ['POST', `${target}/password-reset`, undefined],
      ['DELETE', `/api/tenants/${world.tenantA}/members/${world.users.viewerA}`, undefined],
    ] as const) {
      expect((await call(app, world.as.operator, method, url, body)).statusCode, `${method} ${url}`).toBe(
        403,
      );
    }
    expect((await call(app, world.as.viewerA, 'GET', '/api/users')).statusCode).toBe(403);
    expect((await call(app, world.as.viewerA, 'GET', target)).statusCode).toBe(403);
    expect(
      (await call(app, world.as.viewerB, 'GET', `/api/tenants/${world.tenantA}/members`)).statusCode,
    ).toBe(403);
  });
});
