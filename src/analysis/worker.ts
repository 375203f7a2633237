import { EventEmitter } from 'node:events';
import { eq } from 'drizzle-orm';
import { tables, withAllTenants, withTenant } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { ProviderSettings } from '../runtime/providers/provider-settings.js';
import { DEFAULT_PRICES, type PriceTable } from '../runtime/recorder/price-table.js';
import { type AnalysisSettingsForWorker, analyseCall } from './analyse-call.js';
import { claimAnalysis } from './queue.js';

export interface AnalysisWorkerOptions {
  providers: Pick<ProviderSettings, 'openai' | 'sandboxKeys'>;
  /**
   * The OpenAI API key for analyses; by default the call's own (OPENAI_API_KEY). The sandbox sets
   * one of its own: a call's per-call emulator key is forgotten when the call ends.
   */
  apiKey?: string | undefined;
  prices?: PriceTable | undefined;
  /** How often an idle worker looks for due rows. */
  pollMs?: number;
  maxAttempts?: number;
  backoffMs?: number;
  /** A claimed row another worker may take over after this long (a crashed worker's row). */
  leaseMs?: number;
  requestTimeoutMs?: number;
}

/** A call's analysis reached an end state. */
export interface AnalysisSettled {
  callId: string;
  tenantId: string;
  status: 'done' | 'failed' | 'skipped';
  attempts: number;
  error?: string | undefined;
}

/** The emulator key sandbox analyses use (installed on the OpenAI emulator at start). */
export const SANDBOX_ANALYSIS_KEY = 'test-analysis';

const TERMINAL = new Set(['done', 'failed', 'skipped']);

/**
 * Works the `call_analyses` queue off the call path: claims one due row at a time, analyses it,
 * and retries failures with backoff. `stop()` aborts the request in flight (that attempt does not
 * count) and resolves once the loop has ended; its timers never keep the process alive.
 */
export class AnalysisWorker extends EventEmitter<{ settled: [AnalysisSettled] }> {
  private readonly settings: AnalysisSettingsForWorker;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly deps: Pick<Deps, 'db' | 'now' | 'log' | 'crossTenantLog'>,
    options: AnalysisWorkerOptions,
  ) {
    super();
    this.settings = {
      providers: options.providers,
      apiKey: options.apiKey,
      prices: { ...DEFAULT_PRICES, ...options.prices },
      maxAttempts: options.maxAttempts ?? 3,
      backoffMs: options.backoffMs ?? 5_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    };
    this.pollMs = options.pollMs ?? 1_000;
    this.leaseMs = options.leaseMs ?? Math.max(120_000, this.settings.requestTimeoutMs * 2);
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  /** Looks for work now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake();
    await this.loop;
  }

  /** Resolves when the call's analysis is done, failed or skipped (at once if it already is). */
  async settled(tenantId: string, callId: string): Promise<AnalysisSettled> {
    return new Promise<AnalysisSettled>((resolve, reject) => {
      const listener = (event: AnalysisSettled) => {
        if (event.callId !== callId) return;
        this.off('settled', listener);
        resolve(event);
      };
      this.on('settled', listener);
      // Listening first, then looking: an end reached in between is not missed.
      withTenant(this.deps.db, tenantId, (tx) =>
        tx.select().from(tables.callAnalyses).where(eq(tables.callAnalyses.callId, callId)),
      ).then(([row]) => {
        if (row && TERMINAL.has(row.status)) {
          this.off('settled', listener);
          resolve({
            callId,
            tenantId,
            status: row.status as AnalysisSettled['status'],
            attempts: row.attempts,
            error: row.error ?? undefined,
          });
        }
      }, reject);
    });
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      let worked = false;
      try {
        const job = await withAllTenants(
          this.deps.db,
          { actor: 'analysis-worker', purpose: 'analysis.claim' },
          this.deps.crossTenantLog,
          (tx) =>
            claimAnalysis(tx, this.deps.now(), {
              maxAttempts: this.settings.maxAttempts,
              leaseMs: this.leaseMs,
            }),
        );
        if (job) {
          worked = true;
          const result = await analyseCall(this.deps, this.settings, job, signal);
          if (result.status !== 'retry') {
            this.emit('settled', {
              callId: job.callId,
              tenantId: job.tenantId,
              status: result.status,
              attempts: job.attempt,
              error: result.error,
            });
          }
        }
      } catch (err) {
        if (signal.aborted) break;
        this.deps.log.error({ err }, 'analysis worker: the queue could not be read');
      }
      if (!worked && !signal.aborted) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollMs);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
