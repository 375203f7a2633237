import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import {
  breakerScope,
  DEFAULT_LIMITS,
  EXECUTION_OVERHEAD_MS,
  executionBudget,
  failedExecutionFor,
} from './gateway.js';
import { virtualClock } from './gateway.test-support.js';
import { Circuits, fullJitterBackoff, TenantBulkheads } from './resilience.js';
import { toolPolicy } from './tool-policy.js';

describe('fullJitterBackoff', () => {
  it('draws uniformly below base·2ⁿ, capped', () => {
    const top = fullJitterBackoff(100, 350, () => 0.999_999);
    expect([top.next(), top.next(), top.next(), top.next()]).toEqual([99, 199, 349, 349]);
    const bottom = fullJitterBackoff(100, 350, () => 0);
    expect([bottom.next(), bottom.next()]).toEqual([0, 0]);
  });
});

describe('TenantBulkheads', () => {
  it('runs up to the limit per tenant, queues, and refuses past the queue or the wait', async () => {
    const bulkheads = new TenantBulkheads(systemClock, 1, 1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = bulkheads.run('t1', 1_000, undefined, async () => {
      await held;
      return 'first';
    });
    const queued = bulkheads.run('t1', 1_000, undefined, async () => 'queued');
    const refused = bulkheads.run('t1', 1_000, undefined, async () => 'refused');
    const otherTenant = bulkheads.run('t2', 1_000, undefined, async () => 'other');
    expect(await refused).toBe('busy');
    expect(await otherTenant).toBe('other');
    release();
    expect(await first).toBe('first');
    expect(await queued).toBe('queued');
  });

  it('gives up waiting at the deadline and hands the slot on to the next waiter', async () => {
    const bulkheads = new TenantBulkheads(systemClock, 1, 2);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = bulkheads.run('t', 1_000, undefined, () => held.then(() => 'first'));
    const impatient = bulkheads.run('t', 20, undefined, async () => 'never');
    const patient = bulkheads.run('t', 1_000, undefined, async () => 'patient');
    expect(await impatient).toBe('busy');
    release();
    expect(await first).toBe('first');
    expect(await patient).toBe('patient');
  });
});

describe('Circuits', () => {
  it('opens after consecutive failures, on the injected clock, with one half-open trial at a time', () => {
    const clock = virtualClock();
    const circuits = new Circuits(clock, 2, 1_000);
    const fail = () => circuits.record('k', circuits.admit('k'), 'failure');
    fail();
    expect(circuits.view('k')).toMatchObject({ state: 'closed', consecutiveFailures: 1 });
    fail();
    expect(circuits.view('k')).toMatchObject({ state: 'open', consecutiveFailures: 2 });
    expect(circuits.admit('k')).toEqual({ ok: false });
    expect(circuits.admit('other')).toEqual({ ok: true, trial: false });

    clock.advance(1_000);
    expect(circuits.view('k').state).toBe('half_open');
    const trial = circuits.admit('k');
    expect(trial).toEqual({ ok: true, trial: true });
    expect(circuits.admit('k')).toEqual({ ok: false }); // one trial at a time
    circuits.record('k', trial, 'neutral'); // the trial sent nothing: the next one may try
    const next = circuits.admit('k');
    expect(next).toEqual({ ok: true, trial: true });
    circuits.record('k', next, 'success');
    expect(circuits.view('k')).toEqual({ state: 'closed', consecutiveFailures: 0, retryInMs: null });
  });

  it('a success resets the count; a failed trial reopens at once', () => {
    const clock = virtualClock();
    const circuits = new Circuits(clock, 3, 500);
    circuits.record('k', circuits.admit('k'), 'failure');
    circuits.record('k', circuits.admit('k'), 'success');
    circuits.record('k', circuits.admit('k'), 'failure');
    expect(circuits.view('k').consecutiveFailures).toBe(1);
    for (let i = 0; i < 2; i++) circuits.record('k', circuits.admit('k'), 'failure');
    expect(circuits.view('k').state).toBe('open');
    clock.advance(500);
    circuits.record('k', circuits.admit('k'), 'failure');
    expect(circuits.view('k')).toMatchObject({ state: 'open', retryInMs: 500 });
  });
});

describe('breakerScope', () => {
  it('blames the connection for network failures and 502/503/504, the workflow for 500 and timeouts', () => {
    expect(breakerScope({ class: 'connect_error' }, null)).toBe('connection');
    expect(breakerScope({ class: 'network_error' }, null)).toBe('connection');
    expect(breakerScope({ class: 'server_error' }, 502)).toBe('connection');
    expect(breakerScope({ class: 'server_error' }, 503)).toBe('connection');
    expect(breakerScope({ class: 'server_error' }, 500)).toBe('workflow');
    expect(breakerScope({ class: 'timeout' }, null)).toBe('workflow');
    expect(breakerScope({ class: 'client_error' }, 422)).toBeNull();
    expect(breakerScope({ class: 'output_invalid' }, 200)).toBeNull();
  });
});

describe('executionBudget', () => {
  const tool = (timeoutMs: number, maxAttempts: number, backoffMs: number) =>
    toolPolicy({
      id: 't',
      name: 't',
      description: '',
      inputSchema: {},
      outputSchema: null,
      connectionId: null,
      webhookPath: null,
      workflowId: null,
      timeoutMs,
      retry: { maxAttempts, backoffMs },
      idempotent: false,
    });

  it("is the tool's timeout × attempts + the longest backoff, capped by how long a caller can wait", () => {
    // 3 × 10 s + (250 + 500) ms of backoff
    expect(executionBudget(tool(10_000, 3, 250), DEFAULT_LIMITS)).toBe(30_750 + EXECUTION_OVERHEAD_MS);
    expect(executionBudget(tool(45_000, 1, 0), DEFAULT_LIMITS)).toBe(45_000 + EXECUTION_OVERHEAD_MS);
    expect(executionBudget(tool(60_000, 3, 250), DEFAULT_LIMITS)).toBe(DEFAULT_LIMITS.maxExecutionMs);
  });
});

describe('failedExecutionFor', () => {
  const execution = (key: string) => ({
    id: '42',
    data: {
      resultData: {
        runData: {
          Webhook: [{ data: { main: [[{ json: { headers: { 'idempotency-key': key }, body: {} } }]] } }],
        },
        lastNodeExecuted: 'Check calendar',
        error: { message: 'calendar backend unavailable', node: { name: 'Check calendar' } },
      },
    },
  });

  it("finds the workflow's error by the Idempotency-Key its webhook received", () => {
    expect(failedExecutionFor(execution('exe_1'), 'exe_1')).toEqual({
      message: 'calendar backend unavailable',
      n8nExecutionId: '42',
      node: 'Check calendar',
    });
    expect(failedExecutionFor(execution('exe_2'), 'exe_1')).toBeUndefined();
    expect(failedExecutionFor({ id: '1' }, 'exe_1')).toBeUndefined();
  });
});
