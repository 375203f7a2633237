import { count } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test/support/app.js';
import { openTestBackend, type TestBackend } from '../../test/support/backend.js';
import { withLogCapture } from '../../test/support/log-capture.js';
import { tables } from '../db/index.js';

let backend: TestBackend;
let app: FastifyInstance;
const lines: string[] = [];

beforeAll(async () => {
  backend = withLogCapture(await openTestBackend(), 'warn', lines);
  app = await buildTestApp(backend, { LOGIN_MAX_ATTEMPTS: '3' });
}, 180_000);
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

const auditRows = async () => (await backend.owner.select({ n: count() }).from(tables.auditLog))[0]!.n;

describe('an anonymous flood fills neither the audit log nor the log', () => {
  it('counts failed logins and anonymous refusals instead of writing an audit row each', async () => {
    const before = await auditRows();
    lines.length = 0;
    const flood = 60;
    for (let i = 0; i < flood; i++) {
      await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: `198.51.100.${(i % 200) + 1}`,
        payload: { email: `nobody-${i}@example.com`, password: 'wrong-password!' },
      });
      await app.inject({ method: 'POST', url: '/api/tenants', payload: { name: 'x', slug: `x-${i}` } });
    }
    expect(await auditRows()).toBe(before);
    const events = app.securityEvents;
    expect(events.total('auth.login')).toBe(flood);
    expect(events.total('tenant.create')).toBe(flood);
    expect(events.render()).toMatch(
      /switchboard_unauthenticated_refusals_total\{event="auth.login",code="INVALID_CREDENTIALS"\} \d+/,
    );
    // Rate-limited: a line per series per interval, not one per request.
    const securityLines = lines.filter((l) => l.includes('unauthenticated request refused'));
    expect(securityLines.length).toBeGreaterThan(0);
    expect(securityLines.length).toBeLessThanOrEqual(6);
  });
});
