import { handleWhenResult, isBrokenCircuitError, retry } from 'cockatiel';
import type { Deps } from '../lib/deps.js';
import { newId } from '../lib/ids.js';
import {
  N8nApiClient,
  type N8nConnectionRow,
  type N8nEndpoint,
  openEndpoint,
  webhookUrl,
} from '../n8n/index.js';
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
import { redactDeep, storedBody, storedHeaders } from './redact.js';
import {
  type CircuitStateName,
  ConnectionBreakers,
  fullJitterBackoff,
  TenantBulkheads,
} from './resilience.js';
import { SchemaValidator } from './schema-validator.js';
import { type AttemptFailure, type AttemptResult, type FetchLike, sendAttempt } from './send-attempt.js';
import { statusFor, toolError } from './tool-errors.js';
import { type ToolPolicy, toolPolicy } from './tool-policy.js';
import type { ExecuteToolRequest, FailureClass, ToolErrorCode, ToolOutcome } from './types.js';

export interface GatewayLimits {
  /** Overall budget of one execution (queueing, attempts and waits) unless the caller passes its own. */
  deadlineMs: number;
  /** Largest response body read from a webhook; past it the read stops and the attempt fails. */
  maxResponseBytes: number;
  /** Ceiling of one backoff wait. */
  maxBackoffMs: number;
  /** A 429 asking for a longer wait than this is not retried (the caller is on the phone). */
  maxRetryAfterMs: number;
  /** Consecutive instance failures (timeouts, connection errors, 5xx) that open a connection's circuit. */
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
  deadlineMs: 20_000,
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
  /** The circuit of a connection's n8n instance, for the console. */
  circuitState(connectionId: string): CircuitStateName;
}

const USER_AGENT = 'Switchboard-Gateway/1';

/** Failures that may be retried; timeouts, resets and unknown network errors only for idempotent tools. */
function retryable(cls: FailureClass, idempotent: boolean): boolean {
  switch (cls) {
    case 'connect_error':
    case 'server_error':
    case 'rate_limited':
      return true;
    // The request may have reached n8n and run the workflow; only a tool marked safe to repeat goes again.
    case 'timeout':
    case 'connection_reset':
    case 'network_error':
      return idempotent;
    default:
      return false;
  }
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
  private readonly breakers: ConnectionBreakers;
  private readonly bulkheads: TenantBulkheads;

  constructor(options: GatewayOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.breakers = new ConnectionBreakers(this.limits.breakerThreshold, this.limits.breakerHalfOpenAfterMs);
    this.bulkheads = new TenantBulkheads(this.limits.tenantConcurrency, this.limits.tenantQueue);
  }

  circuitState(connectionId: string): CircuitStateName {
    return this.breakers.state(connectionId);
  }

  async execute(deps: Deps, request: ExecuteToolRequest, options: ExecuteOptions = {}): Promise<ToolOutcome> {
    const startedAt = this.clock.now();
    const deadlineAt = startedAt + (options.deadlineMs ?? this.limits.deadlineMs);
    const { tool } = request;
    const start: ExecutionStart = {
      id: newId('toolExecution'),
      tenantId: request.tenantId,
      tool,
      callId: request.context?.callId ?? null,
      turn: request.context?.turn ?? null,
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
          policy: toolPolicy(tool),
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
      },
    });
    const storedRequest = {
      method: 'POST',
      url,
      headers: storedHeaders(headers, Object.keys(endpoint.webhookHeaders), endpoint.secrets),
      body: storedBody(body, this.limits.storedBodyBytes, endpoint.secrets),
    };
    const breaker = this.breakers.for(endpoint.connectionId, endpoint.baseUrl);
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
      const number = attempts + 1;
      const attemptStartedAt = deps.now();
      let attempt: AttemptResult;
      try {
        attempt = await breaker.execute(() =>
          sendAttempt(
            {
              url,
              headers,
              body,
              timeoutMs: Math.min(policy.attemptTimeoutMs, remaining),
              cutByDeadline: remaining < policy.attemptTimeoutMs,
              signal: running.signal,
            },
            attemptEnv,
          ),
        );
      } catch (err) {
        if (isBrokenCircuitError(err)) {
          return refusal({ class: 'circuit_open', detail: 'the circuit for this n8n instance is open' });
        }
        throw err;
      }
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
      return step;
    }, running.signal);

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
    const refined = await this.refineNotFound(running, last.failure);
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
    if (!retryable(failure.class, running.policy.idempotent) || number >= running.policy.maxAttempts) {
      return result;
    }
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > this.limits.maxRetryAfterMs) {
      return result;
    }
    const waitMs = failure.retryAfterMs ?? nextBackoff();
    if (waitMs >= running.deadlineAt - this.clock.now()) return result;
    return { ...result, retry: true, waitMs };
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

function timedOut(cls: FailureClass): boolean {
  return cls === 'timeout' || cls === 'deadline_exceeded';
}

function refusal(failure: AttemptFailure): Step {
  return { attempt: null, failure, row: null, recorded: false, retry: false, waitMs: 0 };
}

export function createGateway(options: GatewayOptions = {}): Gateway {
  return new AutomationGateway(options);
}
