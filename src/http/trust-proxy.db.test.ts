import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test/support/app.js';
import { openTestBackend, type TestBackend } from '../../test/support/backend.js';
import { TEST_PASSWORD } from '../../test/support/fixtures.js';
import { createUser } from '../auth/index.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { tables } from '../db/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';

let backend: TestBackend;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  backend = await openTestBackend();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await backend?.close();
});

async function appWith(env: Record<string, string>) {
  const app = await buildTestApp(backend, {
    LOGIN_MAX_ATTEMPTS: '3',
    PUBLIC_URL: 'https://sb.example.com',
    ...env,
  });
  apps.push(app);
  return app;
}

async function loginAuditIp(app: FastifyInstance, remoteAddress: string, forwardedFor: string) {
  const email = `proxy-${randomBytes(4).toString('hex')}@example.com`;
  const user = await createUser(backend.deps, SYSTEM_ACTOR, {
    email,
    name: 'P',
    password: TEST_PASSWORD,
    platformRole: null,
  });
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress,
    headers: { 'x-forwarded-for': forwardedFor },
    payload: { email, password: TEST_PASSWORD },
  });
  expect(res.statusCode).toBe(200);
  const [row] = await backend.owner
    .select()
    .from(tables.auditLog)
    .where(and(eq(tables.auditLog.action, 'auth.login'), eq(tables.auditLog.targetId, user.id)));
  return row?.ip;
}

describe('proxy trust comes only from TRUST_PROXY', () => {
  it('unset (even with PUBLIC_URL): a rotating X-Forwarded-For neither evades the limit nor reaches the audit log', async () => {
    const app = await appWith({});
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '198.51.100.20',
        headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
        payload: { email: `spray-${i}@example.com`, password: 'wrong-password!' },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.at(-1)).toBe(429);
    expect(await loginAuditIp(app, '198.51.100.21', '203.0.113.99')).toBe('198.51.100.21');
  });

  it('a hop count trusts that many proxies: the client is the right-most untrusted hop', async () => {
    const app = await appWith({ TRUST_PROXY: '1' });
    expect(await loginAuditIp(app, '10.0.0.5', '6.6.6.6, 203.0.113.50')).toBe('203.0.113.50');
  });

  it('a CIDR list trusts only those addresses', async () => {
    const app = await appWith({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.5' });
    expect(await loginAuditIp(app, '10.0.0.5', '6.6.6.6, 203.0.113.60, 10.1.2.3')).toBe('203.0.113.60');
    // A socket that is not a trusted proxy is the client, whatever it claims.
    expect(await loginAuditIp(app, '198.51.100.30', '203.0.113.61')).toBe('198.51.100.30');
  });

  it('refuses a TRUST_PROXY that is neither a hop count nor addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/99' })).toThrow(ConfigError);
  });
});
