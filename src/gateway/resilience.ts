import {
  type BulkheadPolicy,
  bulkhead,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  type GeneratorFn,
  handleWhenResult,
  type IBackoff,
  isBulkheadRejectedError,
  noJitterGenerator,
} from 'cockatiel';
import type { AttemptResult } from './send-attempt.js';
import type { FailureClass } from './types.js';

/** Failures that say the instance itself is unwell, as opposed to one workflow or request being wrong. */
const BREAKER_FAILURES: ReadonlySet<FailureClass> = new Set<FailureClass>([
  'timeout',
  'connect_error',
  'connection_reset',
  'network_error',
  'server_error',
]);

function countsAgainstBreaker(result: unknown): boolean {
  const outcome = (result as AttemptResult).outcome;
  return !outcome.ok && BREAKER_FAILURES.has(outcome.failure.class);
}

export type CircuitStateName = 'closed' | 'open' | 'half_open' | 'isolated';

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/** One circuit breaker per n8n instance (connection + base URL), opened by consecutive failures. */
export class ConnectionBreakers {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    private readonly threshold: number,
    private readonly halfOpenAfterMs: number,
  ) {}

  for(connectionId: string, baseUrl: string): CircuitBreakerPolicy {
    const key = `${connectionId} ${baseUrl}`;
    let breaker = this.breakers.get(key);
    if (!breaker) {
      breaker = circuitBreaker(handleWhenResult(countsAgainstBreaker), {
        halfOpenAfter: this.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(this.threshold),
      });
      this.breakers.set(key, breaker);
    }
    return breaker;
  }

  state(connectionId: string): CircuitStateName {
    for (const [key, breaker] of this.breakers) {
      if (key.startsWith(`${connectionId} `) && breaker.state !== CircuitState.Closed) {
        return STATE_NAMES[breaker.state];
      }
    }
    return 'closed';
  }
}

/** Per-tenant concurrency cap: `limit` executions at once, `queue` more waiting, the rest refused. */
export class TenantBulkheads {
  private readonly bulkheads = new Map<string, BulkheadPolicy>();

  constructor(
    private readonly limit: number,
    private readonly queue: number,
  ) {}

  /**
   * Runs `fn` in one of the tenant's slots; resolves `'busy'` when the queue is full or no slot frees
   * up within `waitMs` (or before `signal` aborts). Once `fn` has started it is never abandoned.
   * `onQueued` is called, synchronously, when the call has to wait for a slot.
   */
  run<T>(
    tenantId: string,
    waitMs: number,
    signal: AbortSignal | undefined,
    fn: () => Promise<T>,
    onQueued?: () => void,
  ): Promise<T | 'busy'> {
    let policy = this.bulkheads.get(tenantId);
    if (!policy) {
      policy = bulkhead(this.limit, this.queue);
      this.bulkheads.set(tenantId, policy);
    }
    if (policy.executionSlots === 0 && policy.queueSlots === 0) return Promise.resolve('busy');
    const queued = policy.executionSlots === 0;
    const slot = policy;
    const result = new Promise<T | 'busy'>((resolve, reject) => {
      let started = false;
      let settled = false;
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', giveUp);
        finish();
      };
      const giveUp = () => {
        if (!started) settle(() => resolve('busy'));
      };
      const timer = setTimeout(giveUp, Math.max(0, waitMs));
      signal?.addEventListener('abort', giveUp, { once: true });
      // No abort signal goes to cockatiel: a cancelled waiter it dequeues is dropped without handing
      // the slot on, so an abandoned waiter instead takes its turn and returns at once.
      slot
        .execute(async () => {
          if (settled) return undefined;
          started = true;
          clearTimeout(timer);
          return fn();
        })
        .then(
          (value) => settle(() => resolve(value as T)),
          (err: unknown) => settle(() => (isBulkheadRejectedError(err) ? resolve('busy') : reject(err))),
        );
    });
    if (queued) onQueued?.();
    return result;
  }
}

/**
 * Exponential backoff with full jitter (a uniform delay in [0, base·2ⁿ), capped), on cockatiel's
 * exponential schedule but with the random source injected so tests are deterministic.
 */
export function fullJitterBackoff(baseMs: number, maxDelayMs: number, random: () => number) {
  const generator: GeneratorFn<number> = (state, options) => {
    const [delay, next] = noJitterGenerator(state, options);
    return [Math.floor(random() * delay), next];
  };
  const factory = new ExponentialBackoff({ initialDelay: baseMs, maxDelay: maxDelayMs, generator });
  let current: IBackoff<unknown> | undefined;
  return {
    /** The wait before the next retry. */
    next(): number {
      current = current ? current.next(undefined) : factory.next();
      return current.duration;
    },
  };
}
