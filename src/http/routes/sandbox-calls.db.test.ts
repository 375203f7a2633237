import { describe, expect } from 'vitest';
import { call } from '../../../test/support/app.js';
import { appTest } from '../../../test/support/app-test.js';

const test = appTest();

// The happy path runs through the real CLI and server in test/e2e/start.test.ts.
describe('POST /api/sandbox/calls', () => {
  test('says so when the sandbox is off', async ({ app, world }) => {
    const res = await call(app, world.as.operator, 'POST', '/api/sandbox/calls', {
      to: '+15005550006',
      scenario: 'greeting-only',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('SANDBOX_DISABLED');
  });

  test.for([
    [
      'an unknown scenario name, and never reads a path from the request',
      { to: '+15005550006', scenario: '../../etc/passwd.json' },
      'body/scenario',
    ],
    ['a number that is not E.164', { to: '555-1234', scenario: 'greeting-only' }, 'body/to'],
  ] as const)('refuses %s', async ([, body, field], { app, world }) => {
    const res = await call(app, world.as.operator, 'POST', '/api/sandbox/calls', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe(field);
  });

  test('names the fields of an invalid inline scenario', async ({ app, world }) => {
    const res = await call(app, world.as.operator, 'POST', '/api/sandbox/calls', {
      to: '+15005550006',
      scenario: { name: 'x', caller: { steps: [{ type: 'say' }] } },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().error.details.map((d: { field: string }) => d.field);
    expect(fields.some((f: string) => f.startsWith('body/scenario.caller.steps'))).toBe(true);
  });
});
