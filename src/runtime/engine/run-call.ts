import { voice } from '@livekit/agents';
import type { Logger } from 'pino';
import type { CallEndReason } from '../../db/index.js';
import type { CallContext } from '../call-context.js';
import type { CallIO, LineEnd } from '../io/call-io.js';
import { PushAudioInput } from '../io/push-audio-input.js';
import { buildProviders } from '../providers/build-providers.js';
import { type ProviderSettings, providerKeysFor } from '../providers/provider-settings.js';
import type { CallEndStatus, CallRecorder } from '../recorder/call-recorder.js';
import { usageEntries } from '../recorder/usage.js';
import { agentTools, type ToolExecutor } from './agent-tools.js';
import { dropUnreadVadBranch, forwardSttWithoutRetainingFrames } from './agents-workarounds.js';
import { observeSession } from './session-observer.js';
import { SilenceWatch } from './silence-watch.js';

export interface EngineTiming {
  /** A slow tool gets the `toolSlow` phrase after this long. */
  fillerDelayMs: number;
  /** Added after the STT's end of speech before the turn is committed. */
  endpointingDelayMs: number;
  /** Longest wait for a closing phrase (or the last answer before `end_call`) to play. */
  closingPlayoutMs: number;
  /**
   * After the line is released with the last agent turn heard to its end, how long the session may
   * take to commit that turn (it does so on its next tick; this bounds a session that is stuck).
   */
  lastTurnCommitMs: number;
  /** Longest wait for `AgentSession.close()` (provider sockets closing); the call ends regardless. */
  sessionCloseMs: number;
  /** Retries of one provider request before its failure ends the call. */
  retries: { maxRetry: number; retryIntervalMs: number; timeoutMs: number };
}

export const DEFAULT_ENGINE_TIMING: EngineTiming = {
  fillerDelayMs: 1500,
  endpointingDelayMs: 100,
  closingPlayoutMs: 15_000,
  lastTurnCommitMs: 500,
  sessionCloseMs: 5000,
  retries: { maxRetry: 2, retryIntervalMs: 500, timeoutMs: 10_000 },
};

export interface RunCallDeps {
  log: Logger;
  providers: ProviderSettings;
  executeTool: ToolExecutor;
  recorder: CallRecorder;
  timing?: Partial<EngineTiming>;
  /** Aborting ends the call politely (the worker is shutting down). */
  signal?: AbortSignal;
  /**
   * The clock for the times the engine records (answered, ended, turn stages); `Deps.now`. It must
   * read wall time: utterance offsets combine it with the session's own timestamps.
   */
  now?: () => Date;
}

export interface CallOutcome {
  status: CallEndStatus;
  reason: CallEndReason;
}

/** How the engine leaves the call: say something first, wait for the answer in flight, or just go. */
type Closing =
  | { kind: 'line_gone' }
  | { kind: 'say'; phrase: string }
  | { kind: 'after_answer' }
  | { kind: 'now' };

interface EndRequest extends CallOutcome {
  closing: Closing;
}

/**
 * Runs one call on an audio transport: a LiveKit `AgentSession` with Deepgram STT, the OpenAI LLM
 * and Rime TTS, the agent version's prompt and tools, turn-taking and barge-in from the STT, the
 * greeting, the call limits, and everything reported to the recorder as it happens. Resolves when
 * the call is over; never throws for call-level failures (they end the call as `failed`).
 */
export async function runCall(ctx: CallContext, io: CallIO, deps: RunCallDeps): Promise<CallOutcome> {
  const log = deps.log.child({ callId: ctx.callId, tenantId: ctx.tenantId });
  const timing = { ...DEFAULT_ENGINE_TIMING, ...deps.timing };
  const now = deps.now ?? (() => new Date());
  const { config } = ctx;
  const { recorder } = deps;

  let resolveEnd!: (request: EndRequest) => void;
  const endRequested = new Promise<EndRequest>((resolve) => {
    resolveEnd = resolve;
  });
  let ending = false;
  const end = (status: CallEndStatus, reason: CallEndReason, closing: Closing) => {
    if (ending) return;
    ending = true;
    resolveEnd({ status, reason, closing });
  };

  let session: voice.AgentSession;
  let agent: voice.Agent;
  let silence: SilenceWatch;
  const sttAudio = () => ({ model: config.stt.model, seconds: io.callerAudioSeconds() });
  let callerTurns = 0;
  try {
    const providers = buildProviders(
      deps.providers,
      providerKeysFor(deps.providers, ctx.twilioCallSid),
      config,
      io.sampleRate,
    );
    const tools = agentTools(ctx, {
      execute: deps.executeTool,
      turn: () => callerTurns,
      fillerPhrase: config.fallbackPhrases.toolSlow,
      fillerDelayMs: timing.fillerDelayMs,
      say: (phrase) => {
        if (!ending) session.say(phrase);
      },
      onToolRunning: (delta) => silence.toolRunning(delta),
      onToolOutcome: (name, outcome) =>
        log.info({ tool: name, ok: outcome.ok, attempts: outcome.attempts }, 'tool call finished'),
      onEndCall: () => end('completed', 'agent_hangup', { kind: 'after_answer' }),
      // Stored on the call when it is finalized (analytics reads the last one).
      onOutcome: (label) => recorder.event('outcome_reported', { label }),
    });
    agent = new voice.Agent({ instructions: config.systemPrompt, tools });
    const retries = timing.retries;
    session = new voice.AgentSession({
      stt: providers.stt,
      llm: providers.llm,
      tts: providers.tts,
      vad: null,
      turnHandling: {
        turnDetection: 'stt',
        endpointing: { mode: 'fixed', minDelay: timing.endpointingDelayMs },
        // A phone line's audio cannot be paused, so resuming after a false interruption cannot
        // apply; left on, the library warns about it once per call.
        interruption: { enabled: true, resumeFalseInterruption: false },
        preemptiveGeneration: { enabled: false },
      },
      // Phone networks cancel echo; waiting for an AEC warm-up would only swallow early barge-ins.
      aecWarmupDuration: null,
      // Silence is watched here (SilenceWatch), so that a running tool pauses it.
      userAwayTimeout: null,
      // Failures are handled here (spoken apology, hang-up, call marked failed), not by the
      // session closing itself after a few of them.
      connOptions: {
        sttConnOptions: retries,
        llmConnOptions: retries,
        ttsConnOptions: retries,
        maxUnrecoverableErrors: Number.MAX_SAFE_INTEGER,
      },
    });
    session.input.audio = io.audioInput;
    session.output.audio = io.audioOutput;
    observeSession(session, recorder, {
      sttAudio,
      answeredAt: () => answeredAt,
      onCallerTurn: () => {
        callerTurns++;
      },
      callerAudioEndAt: () =>
        io.audioInput instanceof PushAudioInput ? io.audioInput.lastVoicedAt : undefined,
      now: () => now().getTime(),
    });
  } catch (err) {
    log.error({ err }, 'call engine failed to start');
    recorder.event('engine_error', { message: err instanceof Error ? err.message : String(err) });
    await io.hangup('engine_error').catch(() => {});
    io.release();
    await recorder.ended({ status: 'failed', reason: 'engine_error', at: now() });
    return { status: 'failed', reason: 'engine_error' };
  }

  let answeredAt = now().getTime();
  const timers: NodeJS.Timeout[] = [];

  void io.ended.then((line: LineEnd) => {
    recorder.event('line_ended', { by: line.by, reason: line.reason });
    if (line.by === 'caller') end('completed', 'caller_hangup', { kind: 'line_gone' });
    else if (line.by === 'agent') end('completed', 'agent_hangup', { kind: 'line_gone' });
    else end('failed', 'transport_lost', { kind: 'line_gone' });
  });
  io.onDtmf((digit) => recorder.event('dtmf', { digit }));

  session.on(voice.AgentSessionEventTypes.Error, (ev) => {
    const recoverable = 'recoverable' in ev.error ? ev.error.recoverable : true;
    if (recoverable) return;
    switch (ev.error.type) {
      case 'llm_error':
        end('failed', 'llm_error', { kind: 'say', phrase: config.fallbackPhrases.error });
        break;
      case 'tts_error':
        // The voice is what failed: nothing more can be said on this line.
        end('failed', 'tts_error', { kind: 'now' });
        break;
      case 'stt_error':
        end('failed', 'stt_error', { kind: 'say', phrase: config.fallbackPhrases.error });
        break;
    }
  });
  session.on(voice.AgentSessionEventTypes.Close, (ev) => {
    recorder.event('session_closed', { reason: String(ev.reason) });
    end('failed', 'session_closed', { kind: 'now' });
  });
  // After silenceTimeoutS of mutual silence (no tool running) the agent asks whether the caller is
  // still there; if they stay silent as long again, it says goodbye.
  silence = new SilenceWatch(session, config.limits.silenceTimeoutS * 1000, (prompt) => {
    if (ending) return;
    recorder.event('caller_silent', { prompt });
    if (prompt === 1) session.say(config.fallbackPhrases.noAnswer);
    else end('completed', 'silence_timeout', { kind: 'say', phrase: config.fallbackPhrases.goodbye });
  });
  deps.signal?.addEventListener(
    'abort',
    () => end('failed', 'worker_shutdown', { kind: 'say', phrase: config.fallbackPhrases.goodbye }),
    { once: true },
  );

  try {
    await session.start({ agent, record: false });
    dropUnreadVadBranch(session);
    forwardSttWithoutRetainingFrames(session);
    const answered = now();
    answeredAt = answered.getTime();
    recorder.answered(answered);
    log.info({ transport: io.transport }, 'call engine started');
    timers.push(
      setTimeout(
        () => end('completed', 'max_duration', { kind: 'say', phrase: config.fallbackPhrases.goodbye }),
        config.limits.maxDurationS * 1000,
      ),
    );
    if (config.greeting.trim()) session.say(config.greeting);
    else session.generateReply();
  } catch (err) {
    log.error({ err }, 'call engine failed to start');
    end('failed', 'engine_error', { kind: 'now' });
  }

  const request = await endRequested;
  for (const timer of timers) clearTimeout(timer);
  silence.stop();
  recorder.event('call_ending', { status: request.status, reason: request.reason });
  await close(session, io, request.closing, timing, log);
  recorder.usage(usageEntries(session.usage.modelUsage, sttAudio()));
  await recorder.ended({ status: request.status, reason: request.reason, at: now() });
  log.info({ status: request.status, reason: request.reason }, 'call ended');
  return { status: request.status, reason: request.reason };
}

async function close(
  session: voice.AgentSession,
  io: CallIO,
  closing: Closing,
  timing: EngineTiming,
  log: Logger,
): Promise<void> {
  const lineGone = io.ended.then(() => undefined);
  const within = (work: Promise<unknown>) =>
    Promise.race([work.then(() => undefined), lineGone, delay(timing.closingPlayoutMs)]);
  try {
    if (closing.kind === 'say') {
      session.interrupt({ force: true });
      await within(session.say(closing.phrase, { allowInterruptions: false }).waitForPlayout());
    } else if (closing.kind === 'after_answer') {
      await within(waitUntilQuiet(session));
    } else if (closing.kind === 'now') {
      session.interrupt({ force: true });
    }
  } catch (err) {
    log.warn({ err }, 'closing the conversation failed');
  }
  if (closing.kind !== 'line_gone') await io.hangup('agent').catch(() => {});
  // Settling the playout first lets the session record the turn it was speaking as far as it was
  // heard; interrupting marks that turn as cut short.
  const cut = io.release();
  if (cut && closing.kind === 'line_gone') {
    try {
      session.interrupt({ force: true });
    } catch {
      // the session already stopped
    }
  } else if (session.agentState === 'speaking') {
    // The last turn was heard to its end: let the session commit it before closing interrupts it.
    await Promise.race([waitUntilQuiet(session), delay(timing.lastTurnCommitMs)]);
  }
  await Promise.race([
    session.close().catch((err: unknown) => log.warn({ err }, 'session close failed')),
    delay(timing.sessionCloseMs),
  ]);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Resolves once the agent has nothing left to say (the answer in flight has played). */
function waitUntilQuiet(session: voice.AgentSession): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (session.agentState === 'listening' || session.agentState === 'idle') {
        session.off(voice.AgentSessionEventTypes.AgentStateChanged, check);
        resolve();
      }
    };
    session.on(voice.AgentSessionEventTypes.AgentStateChanged, check);
    // The tool that asked to hang up runs while the agent is thinking; check again once it speaks.
    setTimeout(check, 0);
  });
}
