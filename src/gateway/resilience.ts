import {
  type BulkheadPolicy,
  bulkhead,
  ExponentialBackoff,
  type GeneratorFn,
  type IBackoff,
  isBulkheadRejectedError,
  noJitterGenerator,
} from 'cockatiel';
import type { Clock } from './clock.js';

export type CircuitStateName = 'closed' | 'open' | 'half_open';

/**
 * What a failure says is broken. `connection`: the n8n instance itself (refused, DNS, TLS, a reset,
 * 502/503/504 from n8n or its proxy). `workflow`: one workflow (it threw, so n8n answered 500, or
 * its webhook did not answer in time). Other failures (4xx, unreadable output) open no circuit.
 */
export type BreakerScope = 'connection' | 'workflow';

/** Whether an execution may go ahead on one circuit; `trial` is the single half-open probe. */
export type Admission = { ok: true; trial: boolean } | { ok: false };

/** How one execution ended for one circuit: counted once, whatever its number of attempts. */
export type CircuitVerdict = 'success' | 'failure' | 'neutral';

export interface CircuitView {
  state: CircuitStateName;
  /** Consecutive executions that failed on this circuit. */
  consecutiveFailures: number;
  /** Milliseconds until an open circuit lets one trial through; null unless open. */
  retryInMs: number | null;
}

interface Circuit {
  failures: number;
  /** Clock time the circuit opened; null while closed. */
  openedAt: number | null;
  /** Clock time the half-open trial was handed out; null when none is out. */
  trialAt: number | null;
}

/**
 * Consecutive-failure circuit breakers keyed by what failed (an n8n connection, or one workflow),
 * on the gateway's injected clock: no timers, the state is computed from the time on each use.
 * An open circuit fails fast for `halfOpenAfterMs`, then lets one execution through as a trial
 * (another one only if that trial has not reported back within `halfOpenAfterMs`); its success
 * closes the circuit, its failure opens it again.
 */
export class Circuits {
  private readonly circuits = new Map<string, Circuit>();
  /** Told when a recorded execution opens or closes a circuit (not when `open`/`close` are called). */
  onChange: ((key: string, state: 'open' | 'closed') => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly threshold: number,
    private readonly halfOpenAfterMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** Opens `key` now (another instance saw it fail); its cool-down runs on this clock. */
  open(key: string): void {
    const circuit = this.circuits.get(key) ?? this.create(key);
    circuit.failures = Math.max(circuit.failures, this.threshold);
    circuit.openedAt = this.clock.now();
    circuit.trialAt = null;
  }

  /** Closes `key` (another instance's trial succeeded). */
  close(key: string): void {
    this.circuits.delete(key);
  }

  admit(key: string): Admission {
    const circuit = this.circuits.get(key);
    if (!circuit || circuit.openedAt === null) return { ok: true, trial: false };
    const now = this.clock.now();
    if (now - circuit.openedAt < this.halfOpenAfterMs) return { ok: false };
    if (circuit.trialAt !== null && now - circuit.trialAt < this.halfOpenAfterMs) return { ok: false };
    circuit.trialAt = now;
    return { ok: true, trial: true };
  }

  /** For a retry within an admitted execution: false once the circuit opened, unless it holds the trial. */
  stillAdmitted(key: string, admission: Admission): boolean {
    if (!admission.ok) return false;
    if (admission.trial) return true;
    return this.circuits.get(key)?.openedAt == null;
  }

  record(key: string, admission: Admission, verdict: CircuitVerdict): void {
    if (!admission.ok) return;
    const circuit = this.circuits.get(key);
    if (verdict === 'neutral') {
      if (admission.trial && circuit) circuit.trialAt = null;
      return;
    }
    if (verdict === 'success') {
      // A success on a closed circuit with no failures leaves no entry behind.
      if (circuit && (circuit.openedAt === null || admission.trial)) {
        this.circuits.delete(key);
        if (circuit.openedAt !== null) this.onChange?.(key, 'closed');
      }
      return;
    }
    const entry = circuit ?? this.create(key);
    entry.failures += 1;
    if (admission.trial || (entry.openedAt === null && entry.failures >= this.threshold)) {
      entry.openedAt = this.clock.now();
      entry.trialAt = null;
      this.onChange?.(key, 'open');
    }
  }

  view(key: string): CircuitView {
    const circuit = this.circuits.get(key);
    if (!circuit) return { state: 'closed', consecutiveFailures: 0, retryInMs: null };
    if (circuit.openedAt === null) {
      return { state: 'closed', consecutiveFailures: circuit.failures, retryInMs: null };
    }
    const left = circuit.openedAt + this.halfOpenAfterMs - this.clock.now();
    return left > 0
      ? { state: 'open', consecutiveFailures: circuit.failures, retryInMs: Math.ceil(left) }
      : { state: 'half_open', consecutiveFailures: circuit.failures, retryInMs: null };
  }

  private create(key: string): Circuit {
    const circuit: Circuit = { failures: 0, openedAt: null, trialAt: null };
    this.circuits.set(key, circuit);
    if (this.circuits.size > this.maxEntries) {
      // Forget the oldest closed circuit; open ones are kept (they are what protects n8n).
      for (const [oldKey, old] of this.circuits) {
        if (old.openedAt === null && oldKey !== key) {
          this.circuits.delete(oldKey);
          break;
        }
      }
    }
    return circuit;
  }
}

/** Per-tenant concurrency cap: `limit` executions at once, `queue` more waiting, the rest refused. */
export class TenantBulkheads {
  private readonly bulkheads = new Map<string, BulkheadPolicy>();

  constructor(
    private readonly clock: Clock,
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
      // The wait for a slot runs on the gateway's clock; `stopWaiting` ends it once a slot comes.
      const stopWaiting = new AbortController();
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        stopWaiting.abort();
        signal?.removeEventListener('abort', giveUp);
        finish();
      };
      const giveUp = () => {
        if (!started) settle(() => resolve('busy'));
      };
      if (queued) {
        void this.clock.sleep(Math.max(0, waitMs), stopWaiting.signal).then(giveUp);
      }
      signal?.addEventListener('abort', giveUp, { once: true });
      // No abort signal goes to cockatiel: a cancelled waiter it dequeues is dropped without handing
      // the slot on, so an abandoned waiter instead takes its turn and returns at once.
      slot
        .execute(async () => {
          if (settled) return undefined;
          started = true;
          stopWaiting.abort();
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
