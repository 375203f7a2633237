import { createServer } from 'node:net';
import { type N8nEmulator, type N8nWorkflowScriptInput, startN8nEmulator } from '@switchboard/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestBackend, type TestBackend } from '../../test/support/backend.js';
import { tables, withTenant } from '../db/index.js';
import { newId } from '../lib/ids.js';
import { systemClock } from './clock.js';
import { createGateway, type ExecuteOptions, type Gateway, type GatewayLimits } from './gateway.js';
import {
  createTestTenant,
  executionRows,
  insertConnection,
  insertTool,
  type TestWebhookAuth,
  virtualClock,
} from './gateway.test-support.js';
import { listToolExecutions } from './list-tool-executions.js';
import { outcomeForModel } from './outcome-for-model.js';
import type { GatewayTool, ToolOutcome } from './types.js';

let backend: TestBackend;
let n8n: N8nEmulator;
let tenantId: string;
let plainConnection: string;
let pathCounter = 0;

const ARGS = { name: 'Ada Lovelace', date: '2026-12-01', partySize: 2 };

beforeAll(async () => {
  backend = await openTestBackend();
  n8n = await startN8nEmulator();
  tenantId = await createTestTenant(backend.deps);
  plainConnection = await insertConnection(backend.deps, tenantId, { baseUrl: n8n.url, apiKey: n8n.apiKey });
});
afterAll(async () => {
  await n8n?.close();
  await backend?.close();
});

/** A fresh gateway (own breakers and caps) with a virtual clock and fixed jitter. */
function gateway(limits: Partial<GatewayLimits> = {}) {
  const clock = virtualClock();
  return { clock, gw: createGateway({ clock, random: () => 0.5, limits }) };
}

/** Installs a scripted workflow on a unique path and binds a tool to it. */
async function scenario(
  script: N8nWorkflowScriptInput,
  tool: Partial<Omit<GatewayTool, 'id'>> = {},
  options: { active?: boolean; auth?: TestWebhookAuth; connectionId?: string } = {},
) {
  const path = `gw-case-${++pathCounter}`;
  const auth = options.auth ?? { kind: 'none' };
  const installed = n8n.installWorkflow({
    path,
    script,
    active: options.active ?? true,
    auth:
      auth.kind === 'header'
        ? { type: 'header', name: auth.name, value: auth.value }
        : auth.kind === 'basic'
          ? { type: 'basic', user: auth.username, password: auth.password }
          : { type: 'none' },
  });
  const connectionId =
    options.connectionId ??
    (auth.kind === 'none'
      ? plainConnection
      : await insertConnection(backend.deps, tenantId, { baseUrl: n8n.url, apiKey: n8n.apiKey, auth }));
  const bound = await insertTool(backend.deps, tenantId, { ...tool, webhookPath: path, connectionId });
  return {
    path,
    workflowId: installed.id,
    tool: bound,
    calls: () => n8n.webhookCalls({ path }),
    keys: () => n8n.webhookCalls({ path }).map((call) => call.headers['idempotency-key']),
  };
}

async function rows(outcome: ToolOutcome) {
  const execution = await executionRows(backend.deps, tenantId, outcome.executionId);
  return {
    execution,
    attempts: execution.attempts.map((a) => ({
      attempt: a.attempt,
      statusCode: a.statusCode,
      outcome: a.outcome,
      errorClass: a.errorClass,
    })),
  };
}

/** Executes `tool` for the test tenant with the standard arguments. */
function execute(gw: Gateway, tool: GatewayTool, options?: ExecuteOptions): Promise<ToolOutcome> {
  return gw.execute(backend.deps, { tenantId, tool, arguments: ARGS }, options);
}

function expectFailure(outcome: ToolOutcome): Extract<ToolOutcome, { ok: false }> {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('executeTool against the n8n emulator', () => {
  it('succeeds: posts arguments and call context with the idempotency key, records one attempt', async () => {
    const { gw } = gateway();
    const s = await scenario({
      otherwise: {
        type: 'json',
        body: { booked: true, for: '{{body.args.name}}', context: '{{body.context}}' },
      },
    });
    const callId = newId('call');
    await withTenant(backend.deps.db, tenantId, (tx) =>
      tx.insert(tables.calls).values({ id: callId, tenantId }),
    );

    const outcome = await gw.execute(backend.deps, {
      tenantId,
      tool: s.tool,
      arguments: ARGS,
      context: { callId, turn: 3 },
    });

    expect(outcome).toMatchObject({ ok: true, status: 'succeeded', attempts: 1 });
    const context = { tenantId, callId, turn: 3, tool: s.tool.name, executionId: outcome.executionId };
    expect(outcome.ok && outcome.result).toEqual({ booked: true, for: 'Ada Lovelace', context });
    const [call] = s.calls();
    expect(JSON.parse(call!.rawBody)).toEqual({ args: ARGS, context });
    expect(call!.headers['content-type']).toBe('application/json');
    expect(s.keys()).toEqual([outcome.executionId]);

    const { execution, attempts } = await rows(outcome);
    expect(execution).toMatchObject({
      status: 'succeeded',
      toolId: s.tool.id,
      toolName: s.tool.name,
      callId,
      turn: 3,
      idempotencyKey: outcome.executionId,
      arguments: ARGS,
      result: { booked: true, for: 'Ada Lovelace', context },
      error: null,
    });
    expect(execution.finishedAt).toBeInstanceOf(Date);
    expect(execution.durationMs).toBeGreaterThanOrEqual(0);
    expect(attempts).toEqual([{ attempt: 1, statusCode: 200, outcome: 'succeeded', errorClass: null }]);
    expect(execution.attempts[0]!.request).toMatchObject({
      method: 'POST',
      url: `${n8n.url}/webhook/${s.path}`,
      headers: { 'idempotency-key': outcome.executionId },
    });
  });

  it('rejects invalid arguments with every error, sends no request, records a rejected row', async () => {
    const { gw } = gateway();
    const s = await scenario({});
    const outcome = expectFailure(
      await gw.execute(backend.deps, {
        tenantId,
        tool: s.tool,
        arguments: { date: 'next tuesday', partySize: 40, table: 'window' },
      }),
    );

    expect(outcome).toMatchObject({ status: 'rejected', attempts: 0 });
    expect(outcome.error.code).toBe('arguments_invalid');
    expect(outcome.error.message).toContain('Correct them');
    expect(outcome.error.issues).toEqual(
      expect.arrayContaining([
        { path: '/name', message: 'is required' },
        { path: '/table', message: 'is not an allowed field' },
        { path: '/date', message: 'must match format "date"' },
        { path: '/partySize', message: 'must be <= 12' },
      ]),
    );
    expect(s.calls()).toHaveLength(0);
    const { execution, attempts } = await rows(outcome);
    expect(execution).toMatchObject({ status: 'rejected', error: { code: 'arguments_invalid' } });
    expect(attempts).toEqual([]);
  });

  it('times out once, then succeeds on the retry of an idempotent tool with the same idempotency key', async () => {
    const { gw, clock } = gateway();
    const s = await scenario(
      { first: [{ respond: { type: 'hang' } }], otherwise: { type: 'json', body: { slots: ['18:00'] } } },
      { timeoutMs: 250, idempotent: true, retry: { maxAttempts: 3, backoffMs: 100 } },
    );
    const outcome = await execute(gw, s.tool);

    expect(outcome).toMatchObject({ ok: true, attempts: 2, result: { slots: ['18:00'] } });
    expect(s.keys()).toEqual([outcome.executionId, outcome.executionId]);
    expect(clock.sleeps).toEqual([50]); // full jitter: 0.5 × 100 ms
    const { execution, attempts } = await rows(outcome);
    expect(execution.status).toBe('succeeded');
    expect(attempts).toEqual([
      { attempt: 1, statusCode: null, outcome: 'timed_out', errorClass: 'timeout' },
      { attempt: 2, statusCode: 200, outcome: 'succeeded', errorClass: null },
    ]);
  });

  it('does not retry a timeout of a tool that is not idempotent', async () => {
    const { gw } = gateway();
    const s = await scenario({ otherwise: { type: 'hang' } }, { timeoutMs: 100, idempotent: false });
    const outcome = expectFailure(await execute(gw, s.tool));

    expect(outcome).toMatchObject({ status: 'timed_out', attempts: 1, error: { code: 'timeout' } });
    expect(outcome.error.message).toMatch(/not responding.*offer a callback/);
    expect(s.calls()).toHaveLength(1);
    const { execution, attempts } = await rows(outcome);
    expect(execution.status).toBe('timed_out');
    expect(attempts).toEqual([{ attempt: 1, statusCode: null, outcome: 'timed_out', errorClass: 'timeout' }]);
  });

  it('stops at the overall deadline', async () => {
    const { gw } = gateway();
    const s = await scenario({ otherwise: { type: 'hang' } }, { timeoutMs: 5_000, idempotent: true });
    const outcome = expectFailure(
      // Long enough for the execution row to be written first on a busy machine, far below the
      // attempt's own 5 s timeout: the deadline, not the timeout, ends the hanging request.
      await execute(gw, s.tool, { deadlineMs: 1_500 }),
    );
    expect(outcome).toMatchObject({ status: 'timed_out', attempts: 1, error: { code: 'deadline_exceeded' } });
    expect(outcome.durationMs).toBeLessThan(4_500);
    const { attempts } = await rows(outcome);
    expect(attempts).toEqual([
      { attempt: 1, statusCode: null, outcome: 'timed_out', errorClass: 'deadline_exceeded' },
    ]);
  });

  it('retries 5xx of an idempotent tool with exponential full-jitter backoff until attempts are exhausted', async () => {
    const { gw, clock } = gateway();
    const s = await scenario(
      { otherwise: { type: 'fail' } },
      { idempotent: true, retry: { maxAttempts: 3, backoffMs: 200 } },
    );
    const outcome = expectFailure(await execute(gw, s.tool));

    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 'server_error', httpStatus: 500, retryable: true },
    });
    expect(outcome.error.details).toMatchObject({
      detail: 'Scripted failure',
      n8nAnswer: 'Error in workflow',
    });
    expect(clock.sleeps).toEqual([100, 200]); // 0.5 × 200 · 2⁰, 0.5 × 200 · 2¹
    expect(new Set(s.keys())).toEqual(new Set([outcome.executionId]));
    expect(s.keys()).toHaveLength(3);
    const { execution, attempts } = await rows(outcome);
    expect(execution).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
    expect(attempts).toEqual(
      [1, 2, 3].map((attempt) => ({
        attempt,
        statusCode: 500,
        outcome: 'failed',
        errorClass: 'server_error',
      })),
    );
  });

  it('honours Retry-After on 429 and then succeeds', async () => {
    const { gw, clock } = gateway({ maxRetryAfterMs: 5_000 });
    const s = await scenario({
      first: [
        {
          respond: {
            type: 'fail',
            status: 429,
            headers: { 'Retry-After': '2' },
            body: { message: 'slow down' },
          },
        },
      ],
      otherwise: { type: 'json', body: { ok: true } },
    });
    const outcome = await execute(gw, s.tool);

    expect(outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(clock.sleeps).toEqual([2_000]);
    expect(s.keys()).toEqual([outcome.executionId, outcome.executionId]);
    const { execution, attempts } = await rows(outcome);
    expect(execution.status).toBe('succeeded');
    expect(attempts).toEqual([
      { attempt: 1, statusCode: 429, outcome: 'failed', errorClass: 'rate_limited' },
      { attempt: 2, statusCode: 200, outcome: 'succeeded', errorClass: null },
    ]);
    expect(execution.attempts[0]!.response).toMatchObject({ headers: { 'retry-after': '2' } });
  });

  it('does not wait out a Retry-After beyond the cap', async () => {
    const { gw, clock } = gateway({ maxRetryAfterMs: 1_000 });
    const s = await scenario({
      otherwise: { type: 'fail', status: 429, headers: { 'Retry-After': '30' } },
    });
    const outcome = expectFailure(await execute(gw, s.tool));
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'rate_limited' } });
    expect(clock.sleeps).toEqual([]);
  });

  it('retries a connection reset of an idempotent tool; fails at once for one that is not', async () => {
    const { gw } = gateway();
    const script: N8nWorkflowScriptInput = {
      first: [{ respond: { type: 'drop' } }],
      otherwise: { type: 'json', body: { ok: true } },
    };
    const safe = await scenario(script, { idempotent: true });
    const retried = await execute(gw, safe.tool);
    expect(retried).toMatchObject({ ok: true, attempts: 2 });
    expect(safe.keys()).toEqual([retried.executionId, retried.executionId]);
    expect((await rows(retried)).attempts).toEqual([
      { attempt: 1, statusCode: null, outcome: 'failed', errorClass: 'connection_reset' },
      { attempt: 2, statusCode: 200, outcome: 'succeeded', errorClass: null },
    ]);

    const unsafe = await scenario(script, { idempotent: false });
    const failed = expectFailure(await execute(gw, unsafe.tool));
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'connection_reset' } });
    expect((await rows(failed)).attempts).toEqual([
      { attempt: 1, statusCode: null, outcome: 'failed', errorClass: 'connection_reset' },
    ]);
  });

  it('retries connection refusals even for a tool that is not idempotent', async () => {
    const { gw, clock } = gateway();
    const port = await closedPort();
    const connectionId = await insertConnection(backend.deps, tenantId, {
      baseUrl: `http://127.0.0.1:${port}`,
    });
    const tool = await insertTool(backend.deps, tenantId, { webhookPath: 'nowhere', connectionId });
    const outcome = expectFailure(await execute(gw, tool));
    expect(outcome).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'connect_error' } });
    expect(clock.sleeps).toHaveLength(2);
    expect((await rows(outcome)).attempts.map((a) => a.errorClass)).toEqual([
      'connect_error',
      'connect_error',
      'connect_error',
    ]);
  });

  it('fails on invalid JSON without retrying', async () => {
    const { gw } = gateway();
    const s = await scenario({ otherwise: { type: 'invalidJson' } });
    const outcome = expectFailure(await execute(gw, s.tool));
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'invalid_json', retryable: false },
    });
    expect(s.calls()).toHaveLength(1);
    const { execution, attempts } = await rows(outcome);
    expect(execution.status).toBe('failed');
    expect(attempts).toEqual([
      { attempt: 1, statusCode: 200, outcome: 'failed', errorClass: 'invalid_json' },
    ]);
  });

  it('stops reading an oversized response at the cap', async () => {
    const { gw } = gateway({ maxResponseBytes: 8 * 1024, storedBodyBytes: 256 });
    const s = await scenario({ otherwise: { type: 'oversized', bytes: 2_000_000 } });
    const outcome = expectFailure(await execute(gw, s.tool));
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'response_too_large' } });
    const { execution, attempts } = await rows(outcome);
    expect(attempts).toEqual([
      { attempt: 1, statusCode: 200, outcome: 'failed', errorClass: 'response_too_large' },
    ]);
    const stored = execution.attempts[0]!.response as { body: { text: string; truncated: boolean } };
    expect(stored.body.truncated).toBe(true);
    expect(Buffer.byteLength(stored.body.text)).toBeLessThanOrEqual(256);
  });

  it('reports an inactive workflow as not active, not retried, with its state from the public API', async () => {
    const { gw } = gateway();
    const s = await scenario({}, {}, { active: false });
    const bound = { ...s.tool, workflowId: s.workflowId };
    const outcome = expectFailure(await execute(gw, bound));
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'workflow_inactive', httpStatus: 404, retryable: false },
    });
    expect(outcome.error.message).toMatch(/switched off/);
    expect(outcome.error.details).toMatchObject({
      workflow: { id: s.workflowId, active: false },
      detail: `The requested webhook "POST ${s.path}" is not registered.`,
    });
    const { execution, attempts } = await rows(outcome);
    expect(execution).toMatchObject({ status: 'failed', error: { code: 'workflow_inactive' } });
    expect(attempts).toEqual([
      { attempt: 1, statusCode: 404, outcome: 'failed', errorClass: 'workflow_inactive' },
    ]);
  });

  it('opens a workflow circuit after consecutive failed executions, fails fast, then half-opens and closes on success', async () => {
    const { gw, clock } = gateway({ breakerThreshold: 2, breakerHalfOpenAfterMs: 30_000 });
    const s = await scenario({ otherwise: { type: 'fail' } }, { retry: { maxAttempts: 1, backoffMs: 0 } });
    const run = () => execute(gw, s.tool);

    expect(await run()).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
    expect(await run()).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
    expect(gw.toolCircuit(s.tool.id)).toMatchObject({ state: 'open', consecutiveFailures: 2 });
    const fast = expectFailure(await run());
    expect(fast).toMatchObject({ status: 'circuit_open', attempts: 0, error: { code: 'circuit_open' } });
    expect(s.calls()).toHaveLength(2);
    const open = await rows(fast);
    expect(open.execution.status).toBe('circuit_open');
    expect(open.attempts).toEqual([]);

    // Half-open on the gateway's clock (no real wait): the trial fails, so the circuit opens again.
    clock.advance(30_000);
    expect(gw.toolCircuit(s.tool.id).state).toBe('half_open');
    expect(await run()).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'server_error' } });
    expect(await run()).toMatchObject({ status: 'circuit_open', attempts: 0 });
    expect(s.calls()).toHaveLength(3);

    // Half-open again: the trial succeeds and the circuit closes.
    n8n.setWorkflowScript(s.workflowId, { otherwise: { type: 'json', body: { ok: true } } });
    clock.advance(30_000);
    const trial = await run();
    expect(trial).toMatchObject({ ok: true, attempts: 1 });
    expect(gw.toolCircuit(s.tool.id)).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(await run()).toMatchObject({ ok: true });
    expect((await rows(trial)).attempts).toEqual([
      { attempt: 1, statusCode: 200, outcome: 'succeeded', errorClass: null },
    ]);
  });

  it('keys circuits by what failed: a throwing or slow workflow stops only its own tool', async () => {
    const { gw } = gateway({ breakerThreshold: 2 });
    const connectionId = await insertConnection(backend.deps, tenantId, {
      baseUrl: n8n.url,
      apiKey: n8n.apiKey,
    });
    const broken = await scenario({ otherwise: { type: 'fail' } }, {}, { connectionId });
    const slow = await scenario({ otherwise: { type: 'hang' } }, { timeoutMs: 100 }, { connectionId });
    const booking = await scenario(
      { otherwise: { type: 'json', body: { booked: true } } },
      {},
      { connectionId },
    );
    const run = (tool: GatewayTool) => execute(gw, tool);

    for (let i = 0; i < 2; i++) {
      expect(await run(broken.tool)).toMatchObject({ status: 'failed' });
      expect(await run(slow.tool)).toMatchObject({ status: 'timed_out' });
    }
    expect(await run(broken.tool)).toMatchObject({ status: 'circuit_open', attempts: 0 });
    expect(await run(slow.tool)).toMatchObject({ status: 'circuit_open', attempts: 0 });
    expect(await run(booking.tool)).toMatchObject({ ok: true, attempts: 1, result: { booked: true } });
    expect(gw.connectionCircuit(connectionId, n8n.url)).toMatchObject({ state: 'closed' });
    expect(gw.toolCircuit(booking.tool.id).state).toBe('closed');
  });

  it('shares circuit openings and closings with the other server processes through the store', async () => {
    const a = gateway({ breakerThreshold: 1, breakerHalfOpenAfterMs: 30_000 });
    const b = gateway({ breakerThreshold: 1, breakerHalfOpenAfterMs: 30_000 });
    const s = await scenario({ otherwise: { type: 'fail' } });
    const run = (gw: typeof a.gw) => execute(gw, s.tool);
    const other = await scenario({ otherwise: { type: 'json', body: { ok: true } } });
    await execute(b.gw, other.tool); // b joins the channel
    expect(await run(a.gw)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(a.gw.toolCircuit(s.tool.id).state).toBe('open');
    await vi.waitFor(() => expect(b.gw.toolCircuit(s.tool.id).state).toBe('open'));
    expect(await run(b.gw)).toMatchObject({ status: 'circuit_open', attempts: 0 });
    expect(s.calls()).toHaveLength(1);

    // a's trial succeeds: the circuit closes in b as well.
    n8n.setWorkflowScript(s.workflowId, { otherwise: { type: 'json', body: { ok: true } } });
    a.clock.advance(30_000);
    expect(await run(a.gw)).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(b.gw.toolCircuit(s.tool.id).state).toBe('closed'));
    expect(await run(b.gw)).toMatchObject({ ok: true });
  });

  it('counts one execution once, however many attempts it made', async () => {
    const { gw } = gateway({ breakerThreshold: 2 });
    const s = await scenario(
      { otherwise: { type: 'fail' } },
      { idempotent: true, retry: { maxAttempts: 3, backoffMs: 0 } },
    );
    const outcome = await execute(gw, s.tool);
    expect(outcome).toMatchObject({ status: 'failed', attempts: 3 });
    expect(gw.toolCircuit(s.tool.id)).toMatchObject({ state: 'closed', consecutiveFailures: 1 });
  });

  it('opens the connection circuit on connection-level failures, for every tool on that n8n', async () => {
    const { gw } = gateway({ breakerThreshold: 2 });
    const port = await closedPort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const connectionId = await insertConnection(backend.deps, tenantId, { baseUrl });
    const first = await insertTool(backend.deps, tenantId, {
      webhookPath: 'a',
      connectionId,
      retry: { maxAttempts: 2, backoffMs: 0 },
    });
    const second = await insertTool(backend.deps, tenantId, { webhookPath: 'b', connectionId });
    for (let i = 0; i < 2; i++) {
      expect(await execute(gw, first)).toMatchObject({
        error: { code: 'connect_error' },
      });
    }
    expect(gw.connectionCircuit(connectionId, baseUrl)).toMatchObject({
      state: 'open',
      consecutiveFailures: 2,
    });
    expect(gw.toolCircuit(first.id).state).toBe('closed');
    expect(await execute(gw, second)).toMatchObject({
      status: 'circuit_open',
      attempts: 0,
    });
  });

  it('counts a 503 from n8n itself against the connection, a 500 against the workflow', async () => {
    const { gw } = gateway({ breakerThreshold: 1 });
    const connectionId = await insertConnection(backend.deps, tenantId, { baseUrl: n8n.url });
    const unavailable = await scenario(
      { otherwise: { type: 'fail', status: 503, body: { message: 'n8n is starting up' } } },
      {},
      { connectionId },
    );
    expect(await execute(gw, unavailable.tool)).toMatchObject({
      error: { code: 'server_error', httpStatus: 503 },
    });
    expect(gw.connectionCircuit(connectionId, n8n.url).state).toBe('open');
    expect(gw.toolCircuit(unavailable.tool.id).state).toBe('closed');
  });

  it('does not count 4xx answers against the circuit and never retries them', async () => {
    const { gw } = gateway({ breakerThreshold: 1 });
    const connectionId = await insertConnection(backend.deps, tenantId, { baseUrl: n8n.url });
    const s = await scenario(
      { otherwise: { type: 'fail', status: 422, body: { message: 'no table for 40 people' } } },
      {},
      { connectionId },
    );
    const outcome = expectFailure(await execute(gw, s.tool));
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'client_error', httpStatus: 422 },
    });
    expect(outcome.error.message).toContain('no table for 40 people');
    expect(gw.connectionCircuit(connectionId, n8n.url).state).toBe('closed');
    expect(gw.toolCircuit(s.tool.id).state).toBe('closed');
  });

  it('checks the result against the output schema', async () => {
    const { gw } = gateway();
    const s = await scenario(
      { otherwise: { type: 'json', body: { booked: 'yes' } } },
      {
        outputSchema: {
          type: 'object',
          properties: { booked: { type: 'boolean' } },
          required: ['booked'],
        },
      },
    );
    const outcome = expectFailure(await execute(gw, s.tool));
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'output_invalid' } });
    expect(outcome.error.details?.detail).toContain('/booked must be boolean');
    expect((await rows(outcome)).attempts).toEqual([
      { attempt: 1, statusCode: 200, outcome: 'failed', errorClass: 'output_invalid' },
    ]);
  });

  it('never stores the webhook credentials, even when the workflow echoes them back', async () => {
    const { gw } = gateway();
    const secret = 'hdr-secret-7f3a9c2e';
    const s = await scenario(
      { otherwise: { type: 'json', body: { echoed: '{{headers}}' } } },
      {},
      { auth: { kind: 'header', name: 'X-Switchboard-Key', value: secret } },
    );
    const outcome = await execute(gw, s.tool);
    expect(outcome).toMatchObject({ ok: true });
    expect(s.calls()[0]!.headers['x-switchboard-key']).toBe(secret);
    expect(JSON.stringify(outcome)).not.toContain(secret);
    const { execution } = await rows(outcome);
    expect(JSON.stringify(execution)).not.toContain(secret);
    expect(execution.attempts[0]!.request).toMatchObject({ headers: { 'x-switchboard-key': '[redacted]' } });
  });

  it('authenticates with HTTP Basic and redacts it', async () => {
    const { gw } = gateway();
    const password = 'basic-pass-91d0e4';
    const s = await scenario({}, {}, { auth: { kind: 'basic', username: 'switchboard', password } });
    const outcome = await execute(gw, s.tool);
    expect(outcome).toMatchObject({ ok: true, result: { ok: true } });
    const { execution } = await rows(outcome);
    expect(execution.attempts[0]!.request).toMatchObject({ headers: { authorization: '[redacted]' } });
    expect(JSON.stringify(execution)).not.toContain(
      Buffer.from(`switchboard:${password}`).toString('base64'),
    );
  });

  it('reports wrong webhook credentials without retrying', async () => {
    const { gw } = gateway();
    const s = await scenario({}, {}, { auth: { kind: 'header', name: 'X-Key', value: 'the-right-value' } });
    const wrong = await insertConnection(backend.deps, tenantId, {
      baseUrl: n8n.url,
      auth: { kind: 'header', name: 'X-Key', value: 'a-wrong-value' },
    });
    const outcome = expectFailure(await execute(gw, { ...s.tool, connectionId: wrong }));
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'auth_rejected', httpStatus: 403 },
    });
  });

  it('works with a base URL that has a trailing slash', async () => {
    const { gw } = gateway();
    const connectionId = await insertConnection(backend.deps, tenantId, { baseUrl: `${n8n.url}/` });
    const s = await scenario({}, {}, { connectionId });
    expect(await execute(gw, s.tool)).toMatchObject({
      ok: true,
    });
  });

  it('fails as not configured when the tool has no webhook, without any request', async () => {
    const { gw } = gateway();
    const tool = await insertTool(backend.deps, tenantId, { webhookPath: '', connectionId: plainConnection });
    const outcome = expectFailure(await execute(gw, tool));
    expect(outcome).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'not_configured' } });
    const { execution, attempts } = await rows(outcome);
    expect(execution.status).toBe('failed');
    expect(attempts).toEqual([]);
  });

  it('executes a snapshot of a tool that no longer exists, keeping its name', async () => {
    const { gw } = gateway();
    const s = await scenario({});
    const snapshot = { ...s.tool, id: newId('tool') };
    const outcome = await execute(gw, snapshot);
    expect(outcome).toMatchObject({ ok: true });
    const { execution } = await rows(outcome);
    expect(execution).toMatchObject({ toolId: null, toolName: s.tool.name, status: 'succeeded' });
  });

  it('never retries a tool that is not idempotent after n8n answered 500: its workflow may have run', async () => {
    const { gw, clock } = gateway();
    const s = await scenario(
      { otherwise: { type: 'fail' } },
      { idempotent: false, retry: { maxAttempts: 3, backoffMs: 100 } },
    );
    const outcome = expectFailure(await execute(gw, s.tool));
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'server_error', httpStatus: 500 },
    });
    expect(s.calls()).toHaveLength(1);
    expect(clock.sleeps.filter((ms) => ms === 50)).toEqual([]);
  });

  it('retries a tool that is not idempotent when n8n says so: 503 with Retry-After', async () => {
    const { gw, clock } = gateway({ maxRetryAfterMs: 5_000 });
    const s = await scenario(
      {
        first: [
          {
            respond: {
              type: 'fail',
              status: 503,
              headers: { 'Retry-After': '1' },
              body: { message: 'busy' },
            },
          },
        ],
        otherwise: { type: 'json', body: { booked: true } },
      },
      { idempotent: false },
    );
    const outcome = await execute(gw, s.tool);
    expect(outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(clock.sleeps).toEqual([1_000]);

    const bare = await scenario(
      { otherwise: { type: 'fail', status: 503, body: { message: 'busy' } } },
      { idempotent: false },
    );
    const failed = await execute(gw, bare.tool);
    expect(failed).toMatchObject({ ok: false, attempts: 1, error: { httpStatus: 503 } });
  });

  it("carries the workflow's own error message into the execution, bounded and redacted", async () => {
    const { gw } = gateway();
    const secret = 'hdr-secret-91c4e7aa';
    const s = await scenario(
      {
        otherwise: {
          type: 'fail',
          error: `calendar backend unavailable (token ${secret}) ${'x'.repeat(2_000)}`,
        },
      },
      {},
      { auth: { kind: 'header', name: 'X-Switchboard-Key', value: secret } },
    );
    const outcome = expectFailure(await execute(gw, s.tool));
    const detail = String(outcome.error.details?.detail);
    expect(detail).toMatch(/^calendar backend unavailable/);
    expect(detail).not.toContain(secret);
    expect(detail.length).toBeLessThanOrEqual(500);
    expect(outcome.error.details).toMatchObject({
      n8nAnswer: 'Error in workflow',
      workflowError: { message: detail },
    });
    const { execution } = await rows(outcome);
    expect(JSON.stringify(execution.error)).toContain('calendar backend unavailable');
    expect(JSON.stringify(execution.error)).not.toContain(secret);
    // The caller is not told the workflow's internals.
    expect(JSON.stringify(outcomeForModel(outcome))).not.toContain('calendar backend');
  });

  it("derives the execution budget from the tool's policy, capped by how long a caller can wait; rounds durations", async () => {
    const { gw } = gateway({ maxExecutionMs: 300 });
    const s = await scenario({ otherwise: { type: 'hang' } }, { timeoutMs: 2_000, idempotent: true });
    const outcome = expectFailure(await execute(gw, s.tool));
    expect(outcome).toMatchObject({ status: 'timed_out', attempts: 1, error: { code: 'deadline_exceeded' } });
    expect(outcome.error.details?.detail).toMatch(/^no answer within \d+ ms$/);
  });

  it('fails a result that breaks the output schema (a workflow reading a flat body) and tells the agent', async () => {
    const { gw } = gateway();
    // The workflow reads `body.patient_name`, but n8n receives `{ args, context }`.
    const s = await scenario(
      { otherwise: { type: 'json', body: { slot: '{{body.patient_name}}T10:00' } } },
      {
        outputSchema: {
          type: 'object',
          properties: { slot: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$' } },
          required: ['slot'],
        },
      },
    );
    const outcome = expectFailure(await execute(gw, s.tool));
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'output_invalid' } });
    const forModel = outcomeForModel(outcome) as { error: { code: string; message: string } };
    expect(forModel.error.code).toBe('output_invalid');
    expect(forModel.error.message).toMatch(/not in the expected form.*do not tell the caller it worked/);
    expect(JSON.stringify(forModel)).not.toContain('T10:00');
  });

  it('holds schemas to the same strictness at call as at save: an unknown keyword is not silently ignored', async () => {
    const { gw } = gateway();
    const s = await scenario(
      { otherwise: { type: 'json', body: { ok: true } } },
      { inputSchema: { type: 'object', propertes: { name: { type: 'string' } } } },
    );
    const outcome = expectFailure(await execute(gw, s.tool));
    expect(outcome).toMatchObject({ attempts: 0, error: { code: 'not_configured' } });
    expect(String(outcome.error.details?.detail)).toContain('propertes');
    expect(s.calls()).toHaveLength(0);
  });

  it('caps concurrent executions per tenant, shows queued ones as pending, refuses past the queue', async () => {
    // Real time: the queued execution waits for the slot on the gateway's clock.
    const gw = createGateway({ clock: systemClock, limits: { tenantConcurrency: 1, tenantQueue: 1 } });
    const s = await scenario({ otherwise: { type: 'json', body: { ok: true }, delayMs: 300 } });
    const run = () => execute(gw, s.tool);
    const runs = [run(), run(), run()];

    // Whichever reaches the cap third is refused at once, long before the others finish.
    const refused = expectFailure(await Promise.race(runs));
    expect(refused).toMatchObject({
      status: 'failed',
      attempts: 0,
      error: { code: 'busy', retryable: true },
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const live = await listToolExecutions(backend.deps, tenantId, { limit: 50, toolId: s.tool.id });
    expect(live.items.map((item) => item.status).sort()).toEqual(['failed', 'pending', 'running']);

    const outcomes = await Promise.all(runs);
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(2);
    const done = await listToolExecutions(backend.deps, tenantId, { limit: 50, toolId: s.tool.id });
    expect(done.items.map((item) => item.status).sort()).toEqual(['failed', 'succeeded', 'succeeded']);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
