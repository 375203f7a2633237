import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp } from '../../test/support/app.js';
import { openTestBackend, type TestBackend } from '../../test/support/backend.js';
import { TEST_PASSWORD } from '../../test/support/fixtures.js';
import { createUser } from '../auth/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';

const LIMIT = 5;
let backend: TestBackend;
let app: FastifyInstance;

beforeAll(async () => {
  backend = await openTestBackend();
  app = await buildTestApp(backend, { LOGIN_MAX_ATTEMPTS: String(LIMIT) });
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

async function newAccount(): Promise<string> {
  const email = `throttle-${randomBytes(4).toString('hex')}@example.com`;
  await createUser(backend.deps, SYSTEM_ACTOR, {
    email,
    name: 'T',
    password: TEST_PASSWORD,
    platformRole: null,
  });
  return email;
}

const attempt = (email: string, password: string, remoteAddress = '198.51.100.1') =>
  app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { email, password } });

describe('login throttling is atomic', () => {
  it('evaluates at most the limit of 15 parallel wrong passwords from one address', async () => {
    const email = await newAccount();
    const answers = await Promise.all(
      Array.from({ length: 15 }, () => attempt(email, 'wrong-password!', '198.51.100.2')),
    );
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(LIMIT);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15 - LIMIT);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it('evaluates at most the free attempts plus one of a parallel burst spread over many addresses', async () => {
    const email = await newAccount();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => attempt(email, 'wrong-password!', `192.0.2.${i + 1}`)),
    );
    expect(answers.filter((r) => r.statusCode === 401).length).toBeLessThanOrEqual(LIMIT + 1);
  });

  it('slows rather than locks out: the owner gets in seconds after someone else’s failures', async () => {
    const email = await newAccount();
    for (let i = 0; i < LIMIT + 1; i++) await attempt(email, 'wrong-password!', `203.0.113.${i + 1}`);
    const slowed = await attempt(email, TEST_PASSWORD, '198.51.100.77');
    expect(slowed.statusCode).toBe(429);
    const retryAfter = Number(slowed.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Refused attempts do not count against the owner's own address, so waiting is enough.
    await vi.waitFor(
      async () => expect((await attempt(email, TEST_PASSWORD, '198.51.100.77')).statusCode).toBe(200),
      {
        timeout: 10_000,
        interval: 250,
      },
    );
  });
});
