import { and, eq, inArray, ne } from 'drizzle-orm';
import { copyReportedOutcome } from '../../analytics/index.js';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import { LIVE_STATUSES } from '../calls/call-row.js';
import { publishCallUpdate } from '../live-events.js';
import type { CallEnd, CallRecorder, UtteranceRecord } from './call-recorder.js';
import { costLines, type PriceTable, telephonyCostLine } from './price-table.js';
import type { ModelUsageEntry } from './usage.js';

export interface DbCallRecorderOptions {
  prices: PriceTable;
  heartbeatMs: number;
  /** Usage is written at most this often while the call runs (and always at the end). */
  usageEveryMs?: number;
  /** How long writes are retried while the database is unreachable (default 30 s). */
  outageBudgetMs?: number;
}

/** PostgreSQL codes of a connection that went away: class 08, and the shutdown codes of 57P. */
const CONNECTION_LOSS_CODES = /^(08...|57P0[1-3])$/;

/** Whether a failed write lost its connection (the write never happened and may be retried). */
export function isConnectionLoss(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (
      typeof code === 'string' &&
      (CONNECTION_LOSS_CODES.test(code) || /^E(CONNRESET|CONNREFUSED|PIPE)$/.test(code))
    )
      return true;
    if (
      typeof message === 'string' &&
      /Connection terminated|terminating connection|Client has encountered a connection error|not queryable|not currently accepting connections|ECONNREFUSED/i.test(
        message,
      )
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Persists a call as it happens: events, utterances, costs and the final status go to the
 * database in the order they were reported (one write queue per call), each also published on the
 * ephemeral store for live following; a heartbeat keeps the call from being reaped while it runs.
 * A failed write is logged and does not stop the ones after it.
 */
export class DbCallRecorder implements CallRecorder {
  private queue: Promise<void> = Promise.resolve();
  private seq = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private latestUsage: ModelUsageEntry[] = [];
  private usageTimer: NodeJS.Timeout | undefined;
  private usageWrittenAt = 0;
  private closed = false;

  constructor(
    private readonly deps: Deps,
    private readonly call: { id: string; tenantId: string },
    private readonly options: DbCallRecorderOptions,
  ) {
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  answered(at: Date): void {
    this.event('call_answered', { at: at.toISOString() });
  }

  event(type: string, data?: Record<string, unknown>): void {
    const at = this.deps.now();
    this.enqueue('call event', (tx) =>
      tx
        .insert(tables.callEvents)
        .values({ tenantId: this.call.tenantId, callId: this.call.id, type, at, data }),
    );
    this.publish(type, at, data);
  }

  utterance(utterance: UtteranceRecord): void {
    const seq = ++this.seq;
    const { latency, ...spoken } = utterance;
    this.enqueue('utterance', (tx) =>
      tx.insert(tables.utterances).values({
        tenantId: this.call.tenantId,
        callId: this.call.id,
        seq,
        ...spoken,
        metrics: latency ? { latency } : null,
        ...latency?.stages,
      }),
    );
    this.publish('utterance', this.deps.now(), {
      seq,
      speaker: utterance.speaker,
      text: utterance.text,
      interrupted: utterance.interrupted,
    });
  }

  usage(entries: ModelUsageEntry[]): void {
    this.latestUsage = entries;
    if (this.usageTimer || this.closed) return;
    const wait = Math.max(0, this.usageWrittenAt + (this.options.usageEveryMs ?? 2000) - Date.now());
    this.usageTimer = setTimeout(() => {
      this.usageTimer = undefined;
      this.writeUsage();
    }, wait);
    this.usageTimer.unref();
  }

  async ended(end: CallEnd): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.usageTimer);
    this.writeUsage();
    this.enqueue('call end', async (tx) => {
      const [row] = await tx
        .select({
          answeredAt: tables.calls.answeredAt,
          startedAt: tables.calls.startedAt,
          transport: tables.calls.transport,
        })
        .from(tables.calls)
        .where(eq(tables.calls.id, this.call.id));
      const from = row?.answeredAt ?? row?.startedAt ?? end.at;
      const durationMs = Math.max(0, end.at.getTime() - from.getTime());
      // Telephony minutes join the cost ledger beside STT, LLM and TTS.
      const telephony = telephonyCostLine(row?.transport ?? null, durationMs, this.options.prices);
      if (telephony) {
        await tx.insert(tables.callCosts).values({
          tenantId: this.call.tenantId,
          callId: this.call.id,
          provider: telephony.provider,
          metric: telephony.metric,
          quantity: telephony.quantity.toFixed(6),
          unitPriceUsd: telephony.unitPriceUsd.toFixed(8),
          amountUsd: telephony.amountUsd.toFixed(6),
        });
      }
      await tx
        .update(tables.calls)
        .set({
          status: end.status,
          endReason: end.reason,
          endedAt: end.at,
          durationMs,
        })
        .where(and(eq(tables.calls.id, this.call.id), inArray(tables.calls.status, LIVE_STATUSES)));
      await copyReportedOutcome(tx, this.call.id);
      await tx.insert(tables.callEvents).values({
        tenantId: this.call.tenantId,
        callId: this.call.id,
        type: 'call_ended',
        at: end.at,
        data: { status: end.status, reason: end.reason },
      });
    });
    await this.queue;
    // Published once stored: whoever follows the call may read its final state right away.
    this.publish('call_ended', end.at, { status: end.status, reason: end.reason });
  }

  /** Resolves once everything reported so far is written (or given up on). */
  flushed(): Promise<void> {
    return this.queue;
  }

  private writeUsage(): void {
    this.usageWrittenAt = Date.now();
    const lines = costLines(this.latestUsage, this.options.prices);
    this.enqueue('call costs', async (tx) => {
      // Usage is cumulative: the latest report replaces the call's cost lines.
      await tx
        .delete(tables.callCosts)
        .where(and(eq(tables.callCosts.callId, this.call.id), ne(tables.callCosts.provider, 'telephony')));
      if (lines.length === 0) return;
      await tx.insert(tables.callCosts).values(
        lines.map((line) => ({
          tenantId: this.call.tenantId,
          callId: this.call.id,
          provider: line.provider,
          metric: line.metric,
          quantity: line.quantity.toFixed(6),
          unitPriceUsd: line.unitPriceUsd.toFixed(8),
          amountUsd: line.amountUsd.toFixed(6),
        })),
      );
    });
  }

  private beat(): void {
    this.enqueue('heartbeat', (tx) =>
      tx
        .update(tables.calls)
        .set({ heartbeatAt: this.deps.now() })
        .where(and(eq(tables.calls.id, this.call.id), eq(tables.calls.status, 'in_progress'))),
    );
  }

  private enqueue(
    what: string,
    write: (tx: Parameters<Parameters<typeof withTenant>[2]>[0]) => Promise<unknown>,
  ): void {
    this.queue = this.queue.then(() => this.writeWithRetry(what, write));
  }

  /**
   * Writes once; a write that failed because the database connection went away (a restart, a
   * failover, connections cut) is kept and retried, in order, until `outageBudgetMs` has passed, so
   * turns said during a short outage are written after it. Other failures are logged and dropped.
   */
  private async writeWithRetry(
    what: string,
    write: (tx: Parameters<Parameters<typeof withTenant>[2]>[0]) => Promise<unknown>,
  ): Promise<void> {
    const budgetMs = this.options.outageBudgetMs ?? 30_000;
    const started = this.deps.now().getTime();
    for (let attempt = 1; ; attempt++) {
      try {
        await withTenant(this.deps.db, this.call.tenantId, write);
        if (attempt > 1)
          this.deps.log.info({ callId: this.call.id, what, attempt }, 'call record written after retry');
        return;
      } catch (err) {
        const elapsed = this.deps.now().getTime() - started;
        if (!isConnectionLoss(err) || elapsed >= budgetMs) {
          this.deps.log.error({ err, callId: this.call.id, what, attempt }, 'call record write failed');
          return;
        }
        this.deps.log.warn(
          { callId: this.call.id, what, attempt },
          'call record write deferred: database unreachable',
        );
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** attempt)).unref());
      }
    }
  }

  private publish(type: string, at: Date, data?: Record<string, unknown>): void {
    void publishCallUpdate(this.deps.store, {
      callId: this.call.id,
      tenantId: this.call.tenantId,
      type,
      at: at.toISOString(),
      ...(data ? { data } : {}),
    });
  }
}
