import { randomBytes } from 'node:crypto';
import { finalizeCall } from '../analytics/index.js';
import type { Deps } from '../deps/index.js';
import type { BlobStore } from '../storage/index.js';
import type { CallAgentConfig, CallContext } from './call-context.js';
import { type AdmittingWorker, tenantCallSlots, workerCallSlots } from './calls/admit-inbound-call.js';
import type { CallRow } from './calls/call-row.js';
import { claimCall, refuseCall } from './calls/claim-call.js';
import { reapStaleCalls } from './calls/reap-stale-calls.js';
import type { ToolExecutor } from './engine/agent-tools.js';
import { type CallOutcome, type EngineTiming, runCall } from './engine/run-call.js';
import type { CallIO } from './io/call-io.js';
import { RuntimeMetrics } from './metrics.js';
import { installAgentsLogger } from './providers/agents-logger.js';
import type { ProviderSettings } from './providers/provider-settings.js';
import { DbCallRecorder } from './recorder/db-call-recorder.js';
import { MeteredRecorder } from './recorder/metered-recorder.js';
import { DEFAULT_PRICES, type PriceTable } from './recorder/price-table.js';
import { saveRecording } from './recording/save-recording.js';
import { StereoRecorder } from './recording/stereo-recorder.js';

export interface CallWorkerSettings {
  workerId: string;
  maxCalls: number;
  heartbeatMs: number;
  staleAfterMs: number;
  /** A ringing call whose media has not connected after this long is given up by the reaper. */
  ringingTimeoutMs: number;
  drainTimeoutMs: number;
  providers: ProviderSettings;
  prices?: PriceTable;
  timing?: Partial<EngineTiming>;
}

export interface CallWorkerPorts {
  executeTool: ToolExecutor;
  blobs: BlobStore;
}

interface ActiveCall {
  stop: AbortController;
  done: Promise<CallOutcome | undefined>;
}

/**
 * Runs this process's calls: at most `maxCalls` at once, each persisted as it happens and recorded
 * in stereo; drains on shutdown (no new calls, running ones finish, then are ended politely) and
 * reaps calls whose worker died. Its count lives in the ephemeral store as a slot set that also
 * holds the calls it admitted and that are still ringing, so a burst cannot over-fill it.
 */
export class CallWorker implements AdmittingWorker {
  readonly metrics = new RuntimeMetrics();
  /** This worker's id in call rows and slot sets: the configured id and a per-start suffix. */
  readonly workerId: string;
  private readonly active = new Map<string, ActiveCall>();
  private draining = false;
  private reaper: NodeJS.Timeout | undefined;
  private readonly prices: PriceTable;

  constructor(
    private readonly deps: Deps,
    readonly settings: CallWorkerSettings,
    private readonly ports: CallWorkerPorts,
  ) {
    // @livekit/agents' process-wide logger slot: written here, once per worker, and nowhere else.
    installAgentsLogger(deps.log);
    this.prices = { ...DEFAULT_PRICES, ...settings.prices };
    this.workerId = `${settings.workerId}/${randomBytes(3).toString('hex')}`;
  }

  /** False once the worker drains; its capacity is counted in the store at admission. */
  get accepting(): boolean {
    return !this.draining;
  }

  get maxCalls(): number {
    return this.settings.maxCalls;
  }

  get ringingTimeoutMs(): number {
    return this.settings.ringingTimeoutMs;
  }

  get activeCalls(): number {
    return this.active.size;
  }

  /**
   * Runs an admitted call whose media has connected, until it ends. Resolves undefined when the
   * call could not be taken (another worker has it, it is over, or this worker is full).
   */
  async run(call: CallRow, config: CallAgentConfig, io: CallIO): Promise<CallOutcome | undefined> {
    const log = this.deps.log.child({ callId: call.id, tenantId: call.tenantId });
    const store = this.deps.store;
    const mySlot = workerCallSlots(this.workerId);
    const slots = [tenantCallSlots(call.tenantId), mySlot];
    // A call admitted here holds its slot already; one admitted by another instance takes one here.
    const full =
      this.draining || this.active.size >= this.settings.maxCalls
        ? 0
        : await store
            .takeSlots([{ key: mySlot, limit: this.settings.maxCalls }], call.id, this.settings.staleAfterMs)
            .catch((err: unknown) => {
              log.error({ err }, 'worker slot could not be taken');
              return 0;
            });
    if (full !== -1) {
      log.warn({ active: this.active.size }, 'call refused: worker full or draining');
      // Recorded as refused, so Twilio's connect action plays the busy message and no reaper waits.
      const refused = await refuseCall(this.deps, call, 'worker_busy').catch((err: unknown) => {
        log.error({ err }, 'refused call could not be recorded');
        return undefined;
      });
      await store.releaseSlots(refused ? slots : [], call.id).catch(() => {});
      await io.hangup('worker_busy');
      io.release();
      // A refused call counts in its day's KPIs.
      if (refused) await finalizeCall(this.deps, refused).catch(() => {});
      return undefined;
    }
    const stop = new AbortController();
    let settle!: (outcome: CallOutcome | undefined) => void;
    const done = new Promise<CallOutcome | undefined>((resolve) => {
      settle = resolve;
    });
    this.active.set(call.id, { stop, done });
    this.metrics.activeCalls = this.active.size;
    let ownsCall = false;
    // The call's slots live while it runs and lapse `staleAfterMs` after this worker stops beating.
    // Once the call is ours each beat takes them again, not only extends them: after a store outage
    // longer than `staleAfterMs`, or a restart that lost them, the running call counts again.
    const beat = setInterval(() => {
      const kept = ownsCall
        ? store.takeSlots(
            slots.map((key) => ({ key, limit: Number.MAX_SAFE_INTEGER })),
            call.id,
            this.settings.staleAfterMs,
          )
        : store.refreshSlots(slots, call.id, this.settings.staleAfterMs);
      void kept.catch(() => {});
    }, this.settings.heartbeatMs);
    beat.unref();
    try {
      const claimed = await claimCall(this.deps, call, this.workerId);
      if (!claimed) {
        log.warn({ status: call.status }, 'call not claimable');
        await io.hangup('not_claimable');
        io.release();
        settle(undefined);
        return undefined;
      }
      ownsCall = true;
      await store.refreshSlots(slots, call.id, this.settings.staleAfterMs);
      if (call.workerId && call.workerId !== this.workerId) {
        // Admitted by another instance (its socket landed here): that worker's reservation is ours now.
        await store.releaseSlots([workerCallSlots(call.workerId)], call.id);
      }
      const recording = new StereoRecorder(io.sampleRate);
      io.setTap(recording);
      const recorder = new MeteredRecorder(
        new DbCallRecorder(this.deps, call, { prices: this.prices, heartbeatMs: this.settings.heartbeatMs }),
        this.metrics,
      );
      const ctx: CallContext = {
        callId: call.id,
        tenantId: call.tenantId,
        agentId: call.agentId,
        agentVersionId: call.agentVersionId,
        from: call.fromNumber,
        to: call.toNumber,
        twilioCallSid: call.twilioCallSid,
        config,
      };
      const outcome = await runCall(ctx, io, {
        log: this.deps.log,
        now: this.deps.now,
        providers: this.settings.providers,
        executeTool: this.ports.executeTool,
        recorder: {
          ...wrap(recorder),
          // The recording is stored before the call is marked ended, so an ended call has it.
          ended: async (end) => {
            io.setTap(undefined);
            try {
              const saved = await saveRecording(this.deps, this.ports.blobs, call, recording);
              recorder.event('recording_saved', { durationMs: saved.durationMs, sizeBytes: saved.sizeBytes });
            } catch (err) {
              log.error({ err }, 'recording could not be saved');
              recorder.event('recording_failed', {});
            }
            await recorder.ended(end);
            // Metrics and the day's KPIs, once everything about the call is stored.
            await finalizeCall(this.deps, call).catch((err: unknown) =>
              log.error({ err }, 'call metrics could not be computed'),
            );
          },
        },
        timing: this.settings.timing,
        signal: stop.signal,
      });
      settle(outcome);
      return outcome;
    } catch (err) {
      log.error({ err }, 'call worker failed');
      settle(undefined);
      return undefined;
    } finally {
      clearInterval(beat);
      this.active.delete(call.id);
      this.metrics.activeCalls = this.active.size;
      // Another worker's call keeps its tenant slot; this worker's slot is given back either way.
      await releaseSlotsEventually(
        store,
        ownsCall ? slots : [mySlot],
        call.id,
        this.settings.staleAfterMs,
        log,
      );
    }
  }

  /**
   * Stops taking calls and waits for the running ones; after `drainTimeoutMs` the rest are ended
   * politely (goodbye, hang up) and awaited.
   */
  async drain(): Promise<void> {
    this.draining = true;
    this.stopReaper();
    const all = () => Promise.all([...this.active.values()].map((c) => c.done));
    const timedOut = await Promise.race([
      all().then(() => false),
      new Promise<boolean>((resolve) =>
        setTimeout(() => resolve(true), this.settings.drainTimeoutMs).unref(),
      ),
    ]);
    if (timedOut) {
      this.deps.log.warn({ active: this.active.size }, 'drain timed out; ending calls');
      for (const call of this.active.values()) call.stop.abort();
      await all();
    }
  }

  /** Sweeps for calls whose worker died, every `everyMs`. */
  startReaper(everyMs = Math.max(1000, Math.floor(this.settings.staleAfterMs / 2))): void {
    this.stopReaper();
    this.reaper = setInterval(() => {
      void this.reapOnce().catch((err: unknown) => this.deps.log.error({ err }, 'call reaper failed'));
    }, everyMs);
    this.reaper.unref();
  }

  stopReaper(): void {
    clearInterval(this.reaper);
    this.reaper = undefined;
  }

  async reapOnce() {
    const reaped = await reapStaleCalls(this.deps, {
      staleAfterMs: this.settings.staleAfterMs,
      ringingTimeoutMs: this.settings.ringingTimeoutMs,
    });
    for (const call of reaped) {
      await this.deps.store.releaseSlots([tenantCallSlots(call.tenantId)], call.id).catch(() => {});
      await finalizeCall(this.deps, call);
    }
    return reaped;
  }
}

/**
 * Gives a call's slots back. While the store is unreachable the first attempt's failure is not the
 * end: it keeps trying in the background (doubling waits) until the slots would have lapsed anyway,
 * so an outage at hang-up does not hold a line busy for `lapseMs`.
 */
async function releaseSlotsEventually(
  store: Deps['store'],
  keys: string[],
  member: string,
  lapseMs: number,
  log: Deps['log'],
): Promise<void> {
  const deadline = Date.now() + lapseMs;
  const attempt = () => store.releaseSlots(keys, member);
  try {
    await attempt();
    return;
  } catch (err) {
    log.warn({ err }, 'call slots could not be released yet; retrying');
  }
  void (async () => {
    for (let waitMs = 250; Date.now() + waitMs < deadline; waitMs = Math.min(waitMs * 2, 5000)) {
      await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
      if (
        await attempt().then(
          () => true,
          () => false,
        )
      )
        return;
    }
    log.error({ member }, 'call slots could not be released; they lapse on their own');
  })();
}

/** The recorder's methods bound, so one of them can be replaced in an object literal. */
function wrap(recorder: MeteredRecorder) {
  return {
    answered: recorder.answered.bind(recorder),
    event: recorder.event.bind(recorder),
    utterance: recorder.utterance.bind(recorder),
    usage: recorder.usage.bind(recorder),
  };
}
