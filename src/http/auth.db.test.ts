import { describe, expect } from 'vitest';
import { authHeaders, call, loginAs } from '../../test/support/app.js';
import { appTest } from '../../test/support/app-test.js';
import type { TestBackend } from '../../test/support/backend.js';
import { TEST_PASSWORD } from '../../test/support/fixtures.js';
import { tables } from '../db/index.js';
import { SESSION_COOKIE } from './auth-hooks.js';

const test = appTest({ LOGIN_MAX_ATTEMPTS: '3' });

describe('sessions', () => {
  test('logs in, answers /me, and sets an httpOnly SameSite cookie', async ({ app, world, backend }) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: {
        email: (await emailOf(backend, world.users.operator)).toUpperCase(),
        password: TEST_PASSWORD,
      },
    });
    expect(res.statusCode).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const me = await call(app, world.as.operator, 'GET', '/api/auth/me');
    expect(me.json()).toMatchObject({ kind: 'user', id: world.users.operator, role: 'internal_operator' });
  });

  test('rejects a wrong password and an unknown account with the same answer', async ({
    app,
    world,
    backend,
  }) => {
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: await emailOf(backend, world.users.admin), password: 'not-the-password' },
    });
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'nobody@example.com', password: 'not-the-password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.json().error.message).toBe(wrong.json().error.message);
  });

  test('limits failed logins per account, then refuses even the right password until the window ends', async ({
    app,
    world,
    backend,
  }) => {
    const email = await emailOf(backend, world.users.viewerB);
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email, password: 'wrong-password!' },
      });
      expect(res.statusCode).toBe(401);
    }
    const limited = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password: TEST_PASSWORD },
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  test('limits failed logins per IP across accounts', async ({ app }) => {
    const ip = '203.0.113.7';
    let last = 0;
    for (let i = 0; i < 13; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: ip,
        payload: { email: `spray-${i}@example.com`, password: 'wrong-password!' },
      });
      last = res.statusCode;
    }
    expect(last).toBe(429);
  });

  test('refuses a state change carried by the cookie without the CSRF token', async ({
    app,
    world,
    backend,
  }) => {
    const creds = world.as.admin!;
    if (!('cookie' in creds)) throw new Error('expected a session');
    const res = await app.inject({
      method: 'POST',
      url: '/api/tenants',
      headers: { cookie: creds.cookie },
      payload: { name: 'No CSRF', slug: 'no-csrf' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF_TOKEN_INVALID');
    const rows = await backend.owner.select().from(tables.tenants);
    expect(rows.some((t) => t.slug === 'no-csrf')).toBe(false);
  });

  test('logs out: the cookie no longer authenticates', async ({ app, world, backend }) => {
    const creds = await loginAs(app, await emailOf(backend, world.users.viewerA), TEST_PASSWORD);
    expect((await call(app, creds, 'POST', '/api/auth/logout')).statusCode).toBe(204);
    const after = await call(app, creds, 'GET', '/api/auth/me');
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('UNAUTHENTICATED');
  });

  test('expires sessions', async ({ app, world, backend }) => {
    const creds = await loginAs(app, await emailOf(backend, world.users.viewerA), TEST_PASSWORD);
    const { sessions } = tables;
    await backend.owner.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) });
    const res = await app.inject({ method: 'GET', url: '/api/auth/me', headers: authHeaders(creds) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('SESSION_EXPIRED');
    world.as = {
      admin: await loginAs(app, await emailOf(backend, world.users.admin), TEST_PASSWORD),
      operator: await loginAs(app, await emailOf(backend, world.users.operator), TEST_PASSWORD),
      viewerA: await loginAs(app, await emailOf(backend, world.users.viewerA), TEST_PASSWORD),
      viewerB: world.as.viewerB,
    };
  });
});

describe('API keys', () => {
  test('authenticates with a created key, stores only its hash, and stops after revocation', async ({
    app,
    world,
    backend,
  }) => {
    const created = await call(app, world.as.admin, 'POST', '/api/api-keys', {
      name: 'portal sync',
      role: 'client_viewer',
      tenantId: world.tenantA,
    });
    expect(created.statusCode).toBe(201);
    const { key, id } = created.json();
    const stored = await backend.owner.select().from(tables.apiKeys);
    expect(JSON.stringify(stored)).not.toContain(key);

    const own = await call(app, { apiKey: key }, 'GET', `/api/tenants/${world.tenantA}/calls`);
    expect(own.statusCode).toBe(200);
    const other = await call(app, { apiKey: key }, 'GET', `/api/tenants/${world.tenantB}/calls`);
    expect(other.statusCode).toBe(403);

    expect((await call(app, world.as.admin, 'DELETE', `/api/api-keys/${id}`)).statusCode).toBe(200);
    expect((await call(app, { apiKey: key }, 'GET', `/api/tenants/${world.tenantA}/calls`)).statusCode).toBe(
      401,
    );
  });

  test('refuses a client_viewer key without a tenant', async ({ app, world }) => {
    const res = await call(app, world.as.admin, 'POST', '/api/api-keys', {
      name: 'x',
      role: 'client_viewer',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe('tenantId');
  });
});

async function emailOf(backend: TestBackend, userId: string): Promise<string> {
  const rows = await backend.owner.select().from(tables.users);
  return rows.find((u) => u.id === userId)!.email;
}
