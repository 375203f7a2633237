import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, call } from '../../../test/support/app.js';
import { openTestBackend, type TestBackend } from '../../../test/support/backend.js';
import { createWorld, type World } from '../../../test/support/fixtures.js';

let backend: TestBackend;
let app: FastifyInstance;
let world: World;

beforeAll(async () => {
  backend = await openTestBackend();
  app = await buildTestApp(backend);
  world = await createWorld(backend, app);
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

// The happy path runs through the real CLI and server in test/e2e/start.test.ts.
describe('POST /api/sandbox/calls', () => {
  it('says so when the sandbox is off', async () => {
    const res = await call(app, world.as.operator, 'POST', '/api/sandbox/calls', {
      to: '+15005550006',
      scenario: 'greeting-only',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('SANDBOX_DISABLED');
  });

  it('refuses an unknown scenario name, and never reads a path from the request', async () => {
    const res = await call(app, world.as.operator, 'POST', '/api/sandbox/calls', {
      to: '+15005550006',
      scenario: '../../etc/passwd.json',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe('body/scenario');
  });

  it('names the fields of an invalid inline scenario', async () => {
    const res = await call(app, world.as.operator, 'POST', '/api/sandbox/calls', {
      to: '+15005550006',
      scenario: { name: 'x', caller: { steps: [{ type: 'say' }] } },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().error.details.map((d: { field: string }) => d.field);
    expect(fields.some((f: string) => f.startsWith('body/scenario.caller.steps'))).toBe(true);
  });

  it('refuses a number that is not E.164', async () => {
    const res = await call(app, world.as.operator, 'POST', '/api/sandbox/calls', {
      to: '555-1234',
      scenario: 'greeting-only',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe('body/to');
  });
});
