import { randomUUID } from 'node:crypto';
import { handleWhenResult, retry } from 'cockatiel';
import type { Deps } from '../deps/index.js';
import { newId } from '../lib/ids.js';
import {
  N8nApiClient,
  type N8nConnectionRow,
  type N8nEndpoint,
  openEndpoint,
  webhookUrl,
} from '../n8n/index.js';
import type { EphemeralStore } from '../store/index.js';
import { type Clock, systemClock } from './clock.js';
import {
  type AttemptRow,
  type ExecutionStart,
  finishExecution,
  insertFinishedExecution,
  insertPendingExecution,
  recordAttempt,
  resumeExecution,
  startExecution,
} from './execution-store.js';
import { redactDeep, redactText, storedBody, storedHeaders } from './redact.js';
import {
  type Admission,
  type BreakerScope,
  Circuits,
  type CircuitVerdict,
  type CircuitView,
  fullJitterBackoff,
  TenantBulkheads,
} from './resilience.js';
import { SchemaValidator } from './schema-validator.js';
import { type AttemptFailure, type AttemptResult, type FetchLike, sendAttempt } from './send-attempt.js';
import { statusFor, toolError } from './tool-errors.js';
import { type ToolPolicy, toolPolicy } from './tool-policy.js';
import type { ExecuteToolRequest, FailureClass, ToolErrorCode, ToolOutcome } from './types.js';

export interface GatewayLimits {
  /**
   * The longest a caller is kept waiting for one execution (queueing, attempts and waits). Each
   * execution's budget is its tool's policy (timeout × attempts + the backoff between them), capped
   * by this, unless the caller passes its own deadline.
   */
  maxExecutionMs: number;
  /** Largest response body read from a webhook; past it the read stops and the attempt fails. */
  maxResponseBytes: number;
  /** Ceiling of one backoff wait. */
  maxBackoffMs: number;
  /** A 429 asking for a longer wait than this is not retried (the caller is on the phone). */
  maxRetryAfterMs: number;
  /**
   * Consecutive failed executions that open a circuit: a connection's on connection-level failures
   * (refused, DNS, TLS, resets, 502/503/504), a workflow's on its own errors (500, webhook timeout).
   */
  breakerThreshold: number;
  /** How long an open circuit fails fast before one trial request is let through. */
  breakerHalfOpenAfterMs: number;
  /** Executions one tenant may run at once, and how many more may wait for a slot. */
  tenantConcurrency: number;
  tenantQueue: number;
  /** Bytes of each request and response body kept on an attempt row. */
  storedBodyBytes: number;
  /** Budget for asking n8n's API whether the bound workflow is active, after a webhook 404. */
  workflowCheckTimeoutMs: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxExecutionMs: 60_000,
  maxResponseBytes: 256 * 1024,
  maxBackoffMs: 5_000,
  maxRetryAfterMs: 5_000,
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 30_000,
  tenantConcurrency: 16,
  tenantQueue: 64,
  storedBodyBytes: 4096,
  workflowCheckTimeoutMs: 2_000,
};

export interface GatewayOptions {
  /** The HTTP client for webhooks and n8n's API; global fetch by default. Wire the SSRF guard here. */
  fetch?: FetchLike;
  clock?: Clock;
  /** Jitter source in [0, 1). */
  random?: () => number;
  limits?: Partial<GatewayLimits>;
}

export interface ExecuteOptions {
  /** Overrides the gateway's deadline for this execution (e.g. what is left of the caller's turn). */
  deadlineMs?: number;
  /** Aborts the execution, e.g. when the call ends. */
  signal?: AbortSignal;
}

export interface Gateway {
  readonly limits: GatewayLimits;
  readonly fetch: FetchLike;
  execute(deps: Deps, request: ExecuteToolRequest, options?: ExecuteOptions): Promise<ToolOutcome>;
  /** The circuit of a connection's n8n instance (connection-level failures), for the console. */
  connectionCircuit(connectionId: string, baseUrl: string): CircuitView;
  /** The circuit of one tool's workflow (its own errors and timeouts), for the console. */
  toolCircuit(toolId: string): CircuitView;
}

const USER_AGENT = 'Switchboard-Gateway/1';
/** Sent with every tool call of an agent test run. */
export const TEST_TRAFFIC_HEADER = 'x-switchboard-test';

/**
 * Failures that may be retried. An idempotent tool goes again after any transient failure. One that
 * is not goes again only when the request provably never reached n8n (the connection was refused)
 * or n8n itself asked for a retry (429, or 503 with `Retry-After`): after a 500, a timeout or a reset
 * the workflow may have run, and its side effects (a booking) would be repeated.
 */
function retryable(failure: AttemptFailure, statusCode: number | null, idempotent: boolean): boolean {
  switch (failure.class) {
    case 'connect_error':
      return true;
    case 'rate_limited':
      return idempotent || failure.retryAfterMs !== undefined;
    case 'server_error':
      return idempotent || (statusCode === 503 && failure.retryAfterMs !== undefined);
    case 'timeout':
    case 'connection_reset':
    case 'network_error':
      return idempotent;
    default:
      return false;
  }
}

/** Which circuit a final failure counts against, if any (see `BreakerScope`). */
export function breakerScope(failure: AttemptFailure, statusCode: number | null): BreakerScope | null {
  switch (failure.class) {
    case 'connect_error':
    case 'connection_reset':
    case 'network_error':
      return 'connection';
    case 'timeout':
    case 'deadline_exceeded':
      return 'workflow';
    case 'server_error':
      // 502/503/504 come from n8n itself or the proxy in front of it; a 500 is a workflow that threw.
      return statusCode === 502 || statusCode === 503 || statusCode === 504 ? 'connection' : 'workflow';
    default:
      return null;
  }
}

/** The most the backoff can add between `attempts` attempts (full jitter stays below base·2ⁿ). */
export function maxBackoffTotal(policy: ToolPolicy, maxBackoffMs: number): number {
  let total = 0;
  for (let n = 0; n < policy.maxAttempts - 1; n++) total += Math.min(maxBackoffMs, policy.backoffMs * 2 ** n);
  return total;
}

/** Time an execution spends outside its attempts and waits: a queued slot, the status writes. */
export const EXECUTION_OVERHEAD_MS = 1_000;

/**
 * An execution's budget: the tool's own worst case (timeout × attempts + the longest backoff between
 * them + `EXECUTION_OVERHEAD_MS`), capped by how long a caller can wait (`maxExecutionMs`).
 */
export function executionBudget(policy: ToolPolicy, limits: GatewayLimits): number {
  const own =
    policy.attemptTimeoutMs * policy.maxAttempts +
    maxBackoffTotal(policy, limits.maxBackoffMs) +
    EXECUTION_OVERHEAD_MS;
  return Math.min(own, limits.maxExecutionMs);
}

/** One pass through the retry loop: an HTTP attempt, or a refusal before any request. */
interface Step {
  attempt: AttemptResult | null;
  failure: AttemptFailure | null;
  value?: unknown;
  row: AttemptRow | null;
  recorded: boolean;
  retry: boolean;
  waitMs: number;
}

interface Running {
  deps: Deps;
  start: ExecutionStart;
  endpoint: N8nEndpoint;
  policy: ToolPolicy;
  startedAt: number;
  deadlineAt: number;
  signal: AbortSignal | undefined;
}

class AutomationGateway implements Gateway {
  readonly limits: GatewayLimits;
  readonly fetch: FetchLike;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly validator = new SchemaValidator();
  /** Connection-level circuits, keyed by connection and base URL. */
  private readonly connections: Circuits;
  /** Workflow-level circuits, keyed by tool. */
  private readonly workflows: Circuits;
  private readonly bulkheads: TenantBulkheads;
  /** Circuit openings and closings shared with the other server processes through the store. */
  private sharing: { store: EphemeralStore; ready: Promise<void> } | undefined;
  private readonly instanceId = randomUUID();

  constructor(options: GatewayOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    const { breakerThreshold, breakerHalfOpenAfterMs } = this.limits;
    this.connections = new Circuits(this.clock, breakerThreshold, breakerHalfOpenAfterMs);
    this.workflows = new Circuits(this.clock, breakerThreshold, breakerHalfOpenAfterMs);
    this.bulkheads = new TenantBulkheads(this.clock, this.limits.tenantConcurrency, this.limits.tenantQueue);
    this.connections.onChange = (key, state) => this.publishCircuit('connection', key, state);
    this.workflows.onChange = (key, state) => this.publishCircuit('workflow', key, state);
  }

  /**
   * Joins the store's circuit channel on first use (Redis on the services backend, memory when
   * embedded): a circuit one process opens or closes is opened or closed in the others, each then
   * timing the cool-down on its own clock. Failure counts stay per process.
   */
  private shareCircuits(deps: Deps): Promise<void> {
    if (!this.sharing) {
      const ready = deps.store
        .subscribe(CIRCUIT_CHANNEL, (message) => this.receiveCircuit(message))
        .then(
          () => {},
          (err: unknown) =>
            deps.log.warn({ err }, 'gateway: circuit sharing unavailable, circuits stay local'),
        );
      this.sharing = { store: deps.store, ready };
    }
    return this.sharing.ready;
  }

  private publishCircuit(scope: BreakerScope, key: string, state: 'open' | 'closed'): void {
    const message = JSON.stringify({ from: this.instanceId, scope, key, state });
    this.sharing?.store.publish(CIRCUIT_CHANNEL, message).catch(() => {});
  }

  private receiveCircuit(message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const m = parsed as { from?: unknown; scope?: unknown; key?: unknown; state?: unknown };
    if (m.from === this.instanceId || typeof m.key !== 'string') return;
    const circuits =
      m.scope === 'connection' ? this.connections : m.scope === 'workflow' ? this.workflows : null;
    if (!circuits) return;
    if (m.state === 'open') circuits.open(m.key);
    else if (m.state === 'closed') circuits.close(m.key);
  }

  connectionCircuit(connectionId: string, baseUrl: string): CircuitView {
    return this.connections.view(connectionKey(connectionId, baseUrl));
  }

  toolCircuit(toolId: string): CircuitView {
    return this.workflows.view(toolId);
  }

  async execute(deps: Deps, request: ExecuteToolRequest, options: ExecuteOptions = {}): Promise<ToolOutcome> {
    // Once per process (the first execution joins the store's channel), before the budget starts.
    await this.shareCircuits(deps);
    const startedAt = this.clock.now();
    const { tool } = request;
    const policy = toolPolicy(tool);
    const deadlineAt = startedAt + (options.deadlineMs ?? executionBudget(policy, this.limits));
    const start: ExecutionStart = {
      id: newId('toolExecution'),
      tenantId: request.tenantId,
      tool,
      callId: request.context?.callId ?? null,
      turn: request.context?.turn ?? null,
      test: request.context?.test === true,
      arguments: request.arguments,
      startedAt: deps.now(),
    };

    const validation = this.validator.validateArguments(tool, request.arguments);
    if (!validation.ok) {
      const outcome =
        validation.kind === 'invalid'
          ? this.failed(start, startedAt, 0, 'arguments_invalid', { issues: validation.issues })
          : this.failed(start, startedAt, 0, 'not_configured', {
              detail: `the tool's input schema does not compile: ${validation.error}`,
            });
      await insertFinishedExecution(deps, start, outcome);
      this.logFinished(deps, start, outcome);
      return outcome;
    }

    let pending: Promise<void> | undefined;
    const outcome = await this.bulkheads.run(
      start.tenantId,
      deadlineAt - this.clock.now(),
      options.signal,
      async () => {
        if (pending) await pending;
        const connection = pending ? await resumeExecution(deps, start) : await startExecution(deps, start);
        const target = this.target(deps, start, connection);
        if (!target.ok) {
          return this.finish(
            deps,
            start,
            this.failed(start, startedAt, 0, 'not_configured', target),
            undefined,
          );
        }
        return this.run({
          deps,
          start,
          endpoint: target.endpoint,
          policy,
          startedAt,
          deadlineAt,
          signal: options.signal,
        });
      },
      () => {
        pending = insertPendingExecution(deps, start);
        pending.catch(() => {}); // awaited (and thrown) where it matters; never unhandled
      },
    );
    if (outcome !== 'busy') return outcome;
    const busy = this.failed(start, startedAt, 0, 'busy');
    if (!pending) {
      await insertFinishedExecution(deps, start, busy);
      this.logFinished(deps, start, busy);
      return busy;
    }
    await pending;
    return this.finish(deps, start, busy, undefined);
  }

  private target(
    deps: Deps,
    start: ExecutionStart,
    connection: N8nConnectionRow | null,
  ): { ok: true; endpoint: N8nEndpoint } | { ok: false; detail: string } {
    if (!start.tool.connectionId || !start.tool.webhookPath?.trim()) {
      return { ok: false, detail: 'the tool is not bound to an n8n webhook' };
    }
    if (!connection) return { ok: false, detail: 'the n8n connection of the tool no longer exists' };
    const opened = openEndpoint(deps.secrets, connection);
    return opened.ok ? { ok: true, endpoint: opened.value } : { ok: false, detail: opened.error };
  }

  private async run(running: Running): Promise<ToolOutcome> {
    const { deps, start, endpoint, policy } = running;

    const url = webhookUrl(endpoint.baseUrl, start.tool.webhookPath ?? '');
    const headers: Record<string, string> = {
      ...endpoint.webhookHeaders,
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': USER_AGENT,
      'idempotency-key': start.id,
      // A workflow can skip real side effects (an actual booking, an email) for an agent test run.
      ...(start.test ? { [TEST_TRAFFIC_HEADER]: 'true' } : {}),
    };
    // `args`, not `arguments`: n8n's expression sandbox refuses any property named `arguments`
    // ("Cannot access "arguments" due to security concerns"), so workflows could not read it.
    const body = JSON.stringify({
      args: start.arguments,
      context: {
        tenantId: start.tenantId,
        callId: start.callId,
        turn: start.turn,
        tool: start.tool.name,
        executionId: start.id,
        ...(start.test ? { test: true } : {}),
      },
    });
    const storedRequest = {
      method: 'POST',
      url,
      headers: storedHeaders(headers, Object.keys(endpoint.webhookHeaders), endpoint.secrets),
      body: storedBody(body, this.limits.storedBodyBytes, endpoint.secrets),
    };
    const connectionCircuit = connectionKey(endpoint.connectionId, endpoint.baseUrl);
    const workflowCircuit = start.tool.id;
    let connectionAdmission: Admission | undefined;
    let workflowAdmission: Admission | undefined;
    const backoff = fullJitterBackoff(policy.backoffMs, this.limits.maxBackoffMs, this.random);
    const attemptEnv = {
      fetch: this.fetch,
      clock: this.clock,
      wallNow: () => deps.now().getTime(),
      maxResponseBytes: this.limits.maxResponseBytes,
      secrets: endpoint.secrets,
    };

    let attempts = 0;
    let previous: Step | undefined;
    /** The last pass that sent a request: what the execution counts as on its circuits. */
    let lastSent: Step | undefined;
    // cockatiel decides whether to go again (result filter + attempt count); the wait itself happens
    // at the top of the next pass on the injected clock, after checking it fits in the deadline.
    const policyRetry = retry(
      handleWhenResult((step) => (step as Step).retry),
      { maxAttempts: policy.maxAttempts - 1 },
    );
    const last = await policyRetry.execute(async (): Promise<Step> => {
      if (previous) await this.clock.sleep(previous.waitMs, running.signal);
      if (running.signal?.aborted) return refusal({ class: 'cancelled', detail: 'the caller cancelled' });
      const remaining = running.deadlineAt - this.clock.now();
      if (remaining <= 0) return refusal({ class: 'deadline_exceeded', detail: 'no time left' });
      // Both circuits are asked once per execution; a retry stops if either opened meanwhile.
      connectionAdmission ??= this.connections.admit(connectionCircuit);
      if (!this.connections.stillAdmitted(connectionCircuit, connectionAdmission)) {
        return refusal({ class: 'circuit_open', detail: 'the circuit for this n8n instance is open' });
      }
      workflowAdmission ??= this.workflows.admit(workflowCircuit);
      if (!this.workflows.stillAdmitted(workflowCircuit, workflowAdmission)) {
        return refusal({ class: 'circuit_open', detail: "the circuit for this tool's workflow is open" });
      }
      const number = attempts + 1;
      const attemptStartedAt = deps.now();
      const timeoutMs = Math.max(1, Math.round(Math.min(policy.attemptTimeoutMs, remaining)));
      const attempt = await sendAttempt(
        {
          url,
          headers,
          body,
          timeoutMs,
          cutByDeadline: remaining < policy.attemptTimeoutMs,
          signal: running.signal,
        },
        attemptEnv,
      );
      attempts = number;
      const step = this.judge(running, attempt, number, backoff.next);
      step.row = {
        executionId: start.id,
        attempt: number,
        statusCode: attempt.statusCode,
        outcome: step.failure === null ? 'succeeded' : timedOut(step.failure.class) ? 'timed_out' : 'failed',
        errorClass: step.failure?.class ?? null,
        durationMs: attempt.durationMs,
        request: storedRequest,
        response: attempt.responseHeaders
          ? {
              headers: attempt.responseHeaders,
              body: storedBody(attempt.responseBody ?? '', this.limits.storedBodyBytes, endpoint.secrets),
            }
          : null,
        startedAt: attemptStartedAt,
      };
      if (step.retry) {
        await this.track(deps, start, () => recordAttempt(deps, start.tenantId, step.row!));
        step.recorded = true;
      }
      previous = step;
      lastSent = step;
      return step;
    }, running.signal);

    const verdicts = circuitVerdicts(lastSent);
    if (connectionAdmission)
      this.connections.record(connectionCircuit, connectionAdmission, verdicts.connection);
    if (workflowAdmission) this.workflows.record(workflowCircuit, workflowAdmission, verdicts.workflow);

    const unrecorded = last.row && !last.recorded ? last.row : undefined;
    if (last.failure === null) {
      const outcome: ToolOutcome = {
        ok: true,
        status: 'succeeded',
        executionId: start.id,
        attempts,
        durationMs: this.elapsed(running.startedAt),
        result: redactDeep(last.value, endpoint.secrets),
      };
      return this.finish(deps, start, outcome, unrecorded);
    }
    const refined = await this.refineFailure(running, last);
    const outcome = this.failed(start, running.startedAt, attempts, refined.code, {
      ...(refined.detail ? { detail: refined.detail } : {}),
      httpStatus: last.attempt?.statusCode ?? null,
      ...(refined.details ? { details: refined.details } : {}),
    });
    return this.finish(deps, start, outcome, unrecorded);
  }
  /** Turns an attempt into a step: success (output checked), or a failure with the retry decision. */
  private judge(running: Running, attempt: AttemptResult, number: number, nextBackoff: () => number): Step {
    const step = (failure: AttemptFailure | null, value?: unknown): Step => ({
      attempt,
      failure,
      value,
      row: null,
      recorded: false,
      retry: false,
      waitMs: 0,
    });
    if (attempt.outcome.ok) {
      const output = this.validator.validateOutput(running.start.tool, attempt.outcome.value);
      if (output.ok) return step(null, attempt.outcome.value);
      const detail =
        output.kind === 'invalid'
          ? output.issues.map((issue) => `${issue.path || '(root)'} ${issue.message}`).join('; ')
          : `the output schema does not compile: ${output.error}`;
      return step({ class: 'output_invalid', detail: detail.slice(0, 300) });
    }
    const failure = attempt.outcome.failure;
    const result = step(failure);
    if (
      !retryable(failure, attempt.statusCode, running.policy.idempotent) ||
      number >= running.policy.maxAttempts
    ) {
      return result;
    }
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > this.limits.maxRetryAfterMs) {
      return result;
    }
    const waitMs = failure.retryAfterMs ?? nextBackoff();
    if (waitMs >= running.deadlineAt - this.clock.now()) return result;
    return { ...result, retry: true, waitMs };
  }

  /** A final failure, with what n8n's API can add: why a webhook is missing, or why a workflow threw. */
  private async refineFailure(
    running: Running,
    last: Step,
  ): Promise<{ code: ToolErrorCode; detail?: string; details?: Record<string, unknown> }> {
    const failure = last.failure!;
    if (failure.class === 'server_error' && last.attempt?.statusCode === 500) {
      const base = { code: failure.class, ...(failure.detail ? { detail: failure.detail } : {}) };
      const found = await this.workflowError(running);
      if (!found) return base;
      return {
        code: failure.class,
        detail: found.message,
        details: { workflowError: found, ...(failure.detail ? { n8nAnswer: failure.detail } : {}) },
      };
    }
    return this.refineNotFound(running, failure);
  }

  /**
   * n8n answers a workflow that threw with a bare 500 "Error in workflow"; the workflow's own message
   * is in the failed execution. Finds it through n8n's API (when the connection has a key): the
   * recent failed executions, matched by the Idempotency-Key the webhook received. Bounded and
   * redacted; undefined when it cannot be found in time.
   */
  private async workflowError(
    running: Running,
  ): Promise<{ message: string; n8nExecutionId: string; node?: string } | undefined> {
    const { endpoint, start } = running;
    if (!endpoint.apiKey) return undefined;
    // n8n may store the execution a moment after it answers: look twice.
    for (let look = 0; look < 2; look++) {
      const budget = Math.round(
        Math.min(this.limits.workflowCheckTimeoutMs, running.deadlineAt - this.clock.now()),
      );
      if (budget <= 0) return undefined;
      const api = new N8nApiClient({
        baseUrl: endpoint.baseUrl,
        apiKey: endpoint.apiKey,
        fetch: this.fetch,
        timeoutMs: budget,
      });
      const listed = await api.listExecutions({
        status: 'error',
        limit: 10,
        includeData: true,
        ...(start.tool.workflowId ? { workflowId: start.tool.workflowId } : {}),
      });
      if (!listed.ok) return undefined;
      for (const execution of listed.value) {
        const found = failedExecutionFor(execution, start.id);
        if (found) {
          return {
            ...found,
            message: redactText(found.message, endpoint.secrets).slice(0, WORKFLOW_ERROR_CHARS),
          };
        }
      }
      if (look === 0) await this.clock.sleep(WORKFLOW_ERROR_RELOOK_MS, running.signal);
    }
    return undefined;
  }

  /** After a webhook 404, asks n8n's API about the bound workflow so the operator sees why. */
  private async refineNotFound(
    running: Running,
    failure: AttemptFailure,
  ): Promise<{ code: ToolErrorCode; detail?: string; details?: Record<string, unknown> }> {
    const base = { code: failure.class, ...(failure.detail ? { detail: failure.detail } : {}) };
    const workflowId = running.start.tool.workflowId;
    if (failure.class !== 'workflow_inactive' || !workflowId || !running.endpoint.apiKey) return base;
    const budget = Math.min(this.limits.workflowCheckTimeoutMs, running.deadlineAt - this.clock.now());
    if (budget <= 0) return base;
    const api = new N8nApiClient({
      baseUrl: running.endpoint.baseUrl,
      apiKey: running.endpoint.apiKey,
      fetch: this.fetch,
      timeoutMs: budget,
    });
    const found = await api.getWorkflow(workflowId);
    if (!found.ok) {
      const workflow = { id: workflowId, check: found.error.kind };
      return { ...base, details: { workflow } };
    }
    const name = typeof found.value.name === 'string' ? found.value.name : '';
    const active = found.value.active === true;
    const workflow = { id: workflowId, name, active };
    if (active) {
      return {
        code: 'not_configured',
        detail: `workflow "${name}" is active but has no POST webhook at this path`,
        details: { workflow },
      };
    }
    return { ...base, details: { workflow } };
  }

  private failed(
    start: ExecutionStart,
    startedAt: number,
    attempts: number,
    code: ToolErrorCode,
    extra: Parameters<typeof toolError>[2] = {},
  ): ToolOutcome {
    return {
      ok: false,
      status: statusFor(code),
      executionId: start.id,
      attempts,
      durationMs: this.elapsed(startedAt),
      error: toolError(code, start.tool.name, extra),
    };
  }

  private async finish(
    deps: Deps,
    start: ExecutionStart,
    outcome: ToolOutcome,
    lastAttempt: AttemptRow | undefined,
  ): Promise<ToolOutcome> {
    await this.track(deps, start, () => finishExecution(deps, start.tenantId, outcome, lastAttempt));
    this.logFinished(deps, start, outcome);
    return outcome;
  }

  /** Status writes after the start must not cost the caller its answer: a failed write is logged. */
  private async track(deps: Deps, start: ExecutionStart, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      deps.log.error({ err, executionId: start.id, tenantId: start.tenantId }, 'tool execution write failed');
    }
  }

  private logFinished(deps: Deps, start: ExecutionStart, outcome: ToolOutcome): void {
    const fields = {
      executionId: start.id,
      tenantId: start.tenantId,
      tool: start.tool.name,
      callId: start.callId,
      status: outcome.status,
      attempts: outcome.attempts,
      durationMs: outcome.durationMs,
      ...(outcome.ok ? {} : { code: outcome.error.code }),
    };
    if (outcome.ok || outcome.status === 'rejected') deps.log.info(fields, 'tool execution finished');
    else deps.log.warn(fields, 'tool execution failed');
  }

  private elapsed(startedAt: number): number {
    return Math.max(0, Math.round(this.clock.now() - startedAt));
  }
}

const CIRCUIT_CHANNEL = 'gateway:circuits';

/** The longest workflow error message kept on an execution. */
const WORKFLOW_ERROR_CHARS = 500;
const WORKFLOW_ERROR_RELOOK_MS = 250;

function connectionKey(connectionId: string, baseUrl: string): string {
  return `${connectionId} ${baseUrl}`;
}

/** How an execution counts on each circuit, from the last request it sent (none: it counts nowhere). */
function circuitVerdicts(last: Step | undefined): { connection: CircuitVerdict; workflow: CircuitVerdict } {
  if (!last?.attempt) return { connection: 'neutral', workflow: 'neutral' };
  const answered = last.attempt.statusCode !== null;
  if (last.failure === null) return { connection: 'success', workflow: 'success' };
  if (last.failure.class === 'cancelled') return { connection: 'neutral', workflow: 'neutral' };
  const scope = breakerScope(last.failure, last.attempt.statusCode);
  if (scope === 'connection') return { connection: 'failure', workflow: 'neutral' };
  if (scope === 'workflow') return { connection: answered ? 'success' : 'neutral', workflow: 'failure' };
  // n8n answered and the workflow ran: a 4xx or an unreadable result is no outage.
  return { connection: answered ? 'success' : 'neutral', workflow: answered ? 'success' : 'neutral' };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The error of a failed n8n execution (`includeData=true`) if its webhook received `idempotencyKey`:
 * the first node's output item carries the request headers.
 */
export function failedExecutionFor(
  execution: Record<string, unknown>,
  idempotencyKey: string,
): { message: string; n8nExecutionId: string; node?: string } | undefined {
  const resultData = record(record(execution.data)?.resultData);
  const runData = record(resultData?.runData);
  if (!resultData || !runData) return undefined;
  const received = Object.values(runData).some((runs) => {
    if (!Array.isArray(runs)) return false;
    return runs.some((run) => {
      const main = record(record(run)?.data)?.main;
      const item = Array.isArray(main) && Array.isArray(main[0]) ? record(main[0][0]) : undefined;
      const headers = record(record(item?.json)?.headers);
      return headers?.['idempotency-key'] === idempotencyKey;
    });
  });
  if (!received) return undefined;
  const error = record(resultData.error);
  const message =
    typeof error?.message === 'string' && error.message.trim() ? error.message.trim() : undefined;
  if (!message) return undefined;
  const node = record(error?.node)?.name ?? resultData.lastNodeExecuted;
  return {
    message,
    n8nExecutionId: String(execution.id ?? ''),
    ...(typeof node === 'string' ? { node } : {}),
  };
}

function timedOut(cls: FailureClass): boolean {
  return cls === 'timeout' || cls === 'deadline_exceeded';
}

function refusal(failure: AttemptFailure): Step {
  return { attempt: null, failure, row: null, recorded: false, retry: false, waitMs: 0 };
}

export function createGateway(options: GatewayOptions = {}): Gateway {
  return new AutomationGateway(options);
}
