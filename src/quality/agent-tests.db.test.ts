import type { Sandbox } from '@switchboard/sandbox';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../test/support/app.js';
import type { TestBackend } from '../../test/support/backend.js';
import { TEST_PASSWORD, type World } from '../../test/support/fixtures.js';
import {
  publishBookingAgent,
  type SandboxPlatform,
  startSandboxPlatform,
} from '../../test/support/sandbox-platform.js';
import { createUser } from '../auth/index.js';
import { runTestCommand } from '../cli/test-command.js';
import { tables } from '../db/index.js';
import { TEST_TRAFFIC_HEADER } from '../gateway/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import { newId } from '../lib/ids.js';
import { seedDemoSuite } from './seed-demo-suite.js';

/**
 * The publish gate end to end: real sandbox calls (webhook → media → engine → gateway → n8n) on the
 * draft, a broken prompt refused naming its failing case, the admin override audited, the fixed
 * draft published with the run that let it through, and `switchboard test` exiting on the result.
 */
const NUMBER = '+15005550006';
const PROMPT = 'You are the receptionist of Acme Dental. Book appointments with the book_appointment tool.';
const BROKEN = 'You are the receptionist of Acme Dental. Take a message; never book appointments.';

let platform: SandboxPlatform;
let backend: TestBackend;
let sandbox: Sandbox;
let app: FastifyInstance;
let world: World;
let url: string;
let tenantId: string;
let agentId: string;
let cliUser: { email: string };

const base = () => `/api/tenants/${tenantId}/agents/${agentId}`;

beforeAll(async () => {
  platform = await startSandboxPlatform();
  ({ backend, sandbox, app, world, url } = platform);
  tenantId = world.tenantA;
  agentId = await publishBookingAgent(platform, NUMBER, { systemPrompt: PROMPT });
  await seedDemoSuite(backend.deps, tenantId, agentId);
  cliUser = await createUser(backend.deps, SYSTEM_ACTOR, {
    email: `cli-${Date.now()}@example.com`,
    name: 'cli',
    password: TEST_PASSWORD,
    platformRole: 'internal_operator',
  });
}, 180_000);

afterAll(() => platform?.close());

const setPrompt = async (systemPrompt: string) => {
  const res = await call(app, world.as.operator, 'PATCH', base(), { draft: { systemPrompt } });
  expect(res.statusCode, res.body).toBe(200);
};
const runSuite = async (body: Record<string, unknown> = {}) => {
  const res = await call(app, world.as.operator, 'POST', `${base()}/tests/runs`, { ...body, wait: true });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const publish = (credentials = world.as.operator, body: Record<string, unknown> = {}) =>
  call(app, credentials, 'POST', `${base()}/versions`, body);

describe('agent test suites gate publishing', () => {
  it('passes on the published version, through real calls, with transcript, tool trace and latency', async () => {
    const run = await runSuite({ version: 1 });
    expect(run.results.map((r: { reasons: string[] }) => r.reasons)).toEqual([[], []]);
    expect(run).toMatchObject({ status: 'passed', version: 1, total: 2, completed: 2, passed: 2, failed: 0 });
    const booking = run.results[0];
    expect(booking.caseName).toBe('books a cleaning');
    expect(booking.toolTrace).toEqual([
      expect.objectContaining({
        name: 'book_appointment',
        status: 'succeeded',
        arguments: { service: 'cleaning', date: '2030-05-14', time: '10:30' },
      }),
    ]);
    expect(booking.transcript.some((t: { text: string }) => /booked for tuesday/i.test(t.text))).toBe(true);
    expect(booking.latency.maxMs).toBeGreaterThan(0);
    expect(booking.callId).toMatch(/^call_/);
    // The workflow was told it served a test run; a real call to the same number is not flagged.
    const bookings = () => sandbox.n8n.executions().filter((e) => e.request.path === 'book-appointment');
    const tested = bookings().at(-1)!;
    expect(tested.request.headers[TEST_TRAFFIC_HEADER]).toBe('true');
    expect(tested.request.body).toMatchObject({ context: { test: true } });
    const placed = await call(app, world.as.operator, 'POST', '/api/sandbox/calls', {
      to: NUMBER,
      scenario: 'book-appointment',
      speed: 8,
    });
    expect(placed.statusCode, placed.body).toBe(200);
    const real = bookings().at(-1)!;
    expect(real.id).not.toBe(tested.id);
    expect(real.request.headers[TEST_TRAFFIC_HEADER]).toBeUndefined();
    expect((real.request.body as { context: Record<string, unknown> }).context.test).toBeUndefined();
    const history = await call(app, world.as.operator, 'GET', `${base()}/tests/runs?version=1`);
    expect(history.json().items.map((r: { id: string }) => r.id)).toEqual([run.id]);
  }, 120_000);

  it('refuses to publish a draft before its suite ran on it', async () => {
    await setPrompt(`${PROMPT} Be brief.`);
    const res = await publish();
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('AGENT_TESTS_REQUIRED');
  });

  it('refuses a prompt that breaks booking, naming the failing case; compares with the published version', async () => {
    await setPrompt(BROKEN);
    const run = await runSuite();
    expect(run).toMatchObject({ status: 'failed', version: null, passed: 1, failed: 1 });
    const failed = run.results.find((r: { status: string }) => r.status === 'failed');
    expect(failed.caseName).toBe('books a cleaning');
    expect(failed.reasons).toContain('the tool book_appointment was not called');
    expect(run.comparison).toMatchObject({ version: 1 });
    expect(run.comparison.cases).toContainEqual(
      expect.objectContaining({ caseName: 'books a cleaning', status: 'failed', published: 'passed' }),
    );

    const refused = await publish();
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('AGENT_TESTS_FAILED');
    expect(refused.json().error.message).toContain('"books a cleaning"');
    expect(refused.json().error.details.failingCases[0].reasons).toContain(
      'the tool book_appointment was not called',
    );
  }, 120_000);

  it('lets only an internal_admin override, with a reason, audited and recorded on the version', async () => {
    const override = { override: { reason: 'hotfix approved by the client' } };
    const byOperator = await publish(world.as.operator, override);
    expect(byOperator.statusCode).toBe(403);
    expect(byOperator.json().error.code).toBe('FORBIDDEN');

    const byAdmin = await publish(world.as.admin, { note: 'override', ...override });
    expect(byAdmin.statusCode, byAdmin.body).toBe(201);
    expect(byAdmin.json()).toMatchObject({
      version: 2,
      testRunId: null,
      gateOverride: { reason: 'hotfix approved by the client', by: world.users.admin },
    });
    const audits = await backend.owner
      .select()
      .from(tables.auditLog)
      .where(
        and(eq(tables.auditLog.tenantId, tenantId), eq(tables.auditLog.action, 'agent.publish_override')),
      );
    expect(audits).toHaveLength(1);
    expect(audits[0]!.summary).toMatchObject({
      reason: 'hotfix approved by the client',
      failingCases: ['books a cleaning'],
    });
  });

  it('publishes a fixed draft once its run passed, recording that run', async () => {
    await setPrompt(PROMPT);
    const run = await runSuite();
    expect(run.status).toBe('passed');
    const published = await publish();
    expect(published.statusCode, published.body).toBe(201);
    expect(published.json()).toMatchObject({ version: 3, testRunId: run.id, gateOverride: null });
  }, 120_000);

  it('`switchboard test` exits 0 on a passing suite and 1 on a broken draft, printing the failing case', async () => {
    const lines: string[] = [];
    const options = { agent: agentId, email: cliUser.email, password: TEST_PASSWORD, url };
    expect(await runTestCommand({ ...options, version: '3' }, (l) => lines.push(l), url)).toBe(0);
    expect(lines.join('\n')).toMatch(/PASS\s+books a cleaning/);

    await setPrompt(BROKEN);
    lines.length = 0;
    expect(await runTestCommand({ ...options, version: 'draft' }, (l) => lines.push(l), url)).toBe(1);
    expect(lines.join('\n')).toMatch(/FAIL\s+books a cleaning/);
    expect(lines.join('\n')).toContain('the tool book_appointment was not called');
  }, 120_000);

  it('reads a run left running by a stopped instance as interrupted, and a live run as running', async () => {
    // As a crash leaves it: running, with no instance holding its lease.
    const orphan = newId('testRun');
    await backend.owner.insert(tables.agentTestRuns).values({
      id: orphan,
      tenantId,
      agentId,
      configHash: 'x',
      suiteHash: 'x',
      status: 'running',
      total: 2,
    });
    const read = await call(app, world.as.operator, 'GET', `${base()}/tests/runs/${orphan}`);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toMatchObject({
      status: 'error',
      errorMessage: expect.stringMatching(/^interrupted/),
    });
    expect(read.json().finishedAt).toEqual(expect.any(String));

    await setPrompt(PROMPT);
    const started = await call(app, world.as.operator, 'POST', `${base()}/tests/runs`, {});
    expect(started.statusCode, started.body).toBe(202);
    const listed = await call(app, world.as.operator, 'GET', `${base()}/tests/runs?version=draft`);
    const live = listed.json().items.find((r: { id: string }) => r.id === started.json().id);
    expect(live.status).toBe('running');
    expect(listed.json().items.find((r: { id: string }) => r.id === orphan).status).toBe('error');
    // The job runs on in the server; its progress is what a client polls.
    let status = 'running';
    for (let i = 0; i < 400 && status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await call(app, world.as.operator, 'GET', `${base()}/tests/runs/${started.json().id}`)).json()
        .status;
    }
    expect(status).toBe('passed');
  }, 120_000);
});
