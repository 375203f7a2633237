import {
  mulawDecode,
  mulawEncode,
  normalizeSpeechText,
  SANDBOX_SAMPLE_RATE,
  SpeechDecoder,
  type SpeechEvent,
  type SpeechPace,
  synthesizeSpeech,
  UNDECODABLE,
} from '../audio/index.js';
import type { EmulatedCall } from '../twilio/call.js';
import {
  FRAME_BYTES,
  FRAME_MS,
  type MediaStreamSession,
  MULAW_SILENCE,
} from '../twilio/media-stream-session.js';
import { type CallerEnd, type CallerLine, lineFromCall } from './caller-line.js';
import { describeMatch, findAgentSpeech } from './match-agent-speech.js';
import { CallerScript, type CallerScriptInput, type CallerStep } from './script.js';

export interface TranscriptEntry {
  speaker: 'caller' | 'agent';
  /** What was spoken, in the normalised form the tone code carries. */
  text: string;
  /** Media ms since the stream started. */
  startMs: number;
  endMs: number;
  /** Agent speech cut short (a `clear`, a hang-up, lost audio). */
  interrupted?: boolean;
  /** Caller speech started while the agent was talking. */
  bargeIn?: boolean;
}

export interface CallerFailure {
  stepIndex: number;
  step: CallerStep | undefined;
  message: string;
}

export interface CallerResult {
  ok: boolean;
  failure?: CallerFailure;
  transcript: TranscriptEntry[];
  marks: { name: string; atMs: number }[];
  clears: { atMs: number; droppedBytes: number }[];
  dtmf: { digit: string; atMs: number }[];
  end: CallerEnd & { atMs: number };
  streamSid: string;
  /**
   * Silences the line forced into the agent's speech: frames played short (the agent's audio had not
   * arrived) between an utterance's start and its end, each gap counted when the utterance resumes.
   * The caller hears them as a stutter; a server that keeps up with the line sends none.
   */
  agentAudioGaps: { count: number; longestMs: number };
}

export type CallerEvent =
  | { type: 'step'; index: number; step: CallerStep; atMs: number }
  | { type: 'caller-said'; entry: TranscriptEntry }
  | { type: 'agent-started'; atMs: number }
  | { type: 'agent-said'; entry: TranscriptEntry }
  | { type: 'mark'; name: string; atMs: number }
  | { type: 'clear'; droppedBytes: number; atMs: number }
  | { type: 'dtmf'; digit: string; atMs: number }
  | { type: 'failed'; failure: CallerFailure; atMs: number }
  | { type: 'ended'; end: CallerEnd; atMs: number };

export interface CallerOptions {
  /** Called as the conversation happens (the CLI prints from it). */
  onEvent?: (event: CallerEvent) => void;
  /** How long to wait for the call's media stream to open. */
  streamTimeoutMs?: number;
  /** The caller's speaking pace; one 20 ms symbol per character (fast) when absent. */
  pace?: SpeechPace;
}

class StepFailed extends Error {}

/** Drives one call from a caller script, over the call's `<Connect><Stream>` media session. */
export async function runCaller(
  call: EmulatedCall,
  script: CallerScript | CallerScriptInput,
  options: CallerOptions = {},
): Promise<CallerResult> {
  const session = await call.waitForStream(options.streamTimeoutMs ?? 15_000);
  return runCallerOnLine(lineFromCall(call, session), script, options);
}

export async function runCallerOnLine(
  line: CallerLine,
  script: CallerScript | CallerScriptInput,
  options: CallerOptions = {},
): Promise<CallerResult> {
  return new SimulatedCaller(line, CallerScript.parse(script), options).run();
}

/**
 * The simulated caller: it speaks by queueing tone-coded μ-law on the stream, and hears by decoding
 * the frames the stream played out to it, so it only knows what actually reached the line.
 */
class SimulatedCaller {
  private readonly session: MediaStreamSession;
  private readonly decoder = new SpeechDecoder(SANDBOX_SAMPLE_RATE);
  private readonly callerEntries: TranscriptEntry[] = [];
  private readonly agentEntries: TranscriptEntry[] = [];
  private readonly marks: CallerResult['marks'] = [];
  private readonly clears: CallerResult['clears'] = [];
  private readonly dtmf: CallerResult['dtmf'] = [];
  private readonly waiters = new Set<() => void>();
  private agentCursor = 0;
  private agentStarts = 0;
  private speaking: { startMs: number; cleared: boolean } | undefined;
  private readonly agentAudioGaps = { count: 0, longestMs: 0 };
  /** Line time played short since the agent's audio last filled a frame inside an utterance. */
  private starvedMs: number | undefined;
  private streamOver = false;
  private end: (CallerEnd & { atMs: number }) | undefined;

  constructor(
    private readonly line: CallerLine,
    private readonly script: CallerScript,
    private readonly options: CallerOptions,
  ) {
    this.session = line.session;
    this.session.on('played', (frame, _atMs, audioBytes) => {
      this.hear(this.decoder.push(mulawDecode(frame)));
      this.countGap(audioBytes / frame.length);
    });
    this.session.on('mark', (name, atMs) => {
      this.marks.push({ name, atMs });
      this.emit({ type: 'mark', name, atMs });
    });
    this.session.on('clear', (droppedBytes, atMs) => {
      this.clears.push({ atMs, droppedBytes });
      if (this.speaking) this.speaking.cleared = true;
      this.emit({ type: 'clear', droppedBytes, atMs });
    });
    this.session.on('dtmf', (digit, atMs) => this.dtmf.push({ digit, atMs }));
    this.session.on('ended', () => {
      this.streamOver = true;
      this.hear(this.decoder.flush());
      this.notify();
    });
    void line.ended.then((end) => {
      this.end = { ...end, atMs: this.session.nowMs() };
      this.emit({ type: 'ended', end, atMs: this.end.atMs });
      this.notify();
    });
  }

  async run(): Promise<CallerResult> {
    let failure: CallerFailure | undefined;
    for (const [index, step] of this.script.steps.entries()) {
      this.emit({ type: 'step', index, step, atMs: this.session.nowMs() });
      try {
        await this.perform(step);
      } catch (err) {
        if (!(err instanceof StepFailed)) throw err;
        failure = { stepIndex: index, step, message: err.message };
        this.emit({ type: 'failed', failure, atMs: this.session.nowMs() });
        break;
      }
    }
    if (!this.end && (failure || this.script.hangupAtEnd)) await this.line.hangup();
    const end = await this.line.ended;
    return {
      ok: failure === undefined,
      failure,
      transcript: [...this.callerEntries, ...this.agentEntries].sort((a, b) => a.startMs - b.startMs),
      marks: this.marks,
      clears: this.clears,
      dtmf: this.dtmf,
      end: this.end ?? { ...end, atMs: this.session.nowMs() },
      streamSid: this.session.streamSid,
      agentAudioGaps: { ...this.agentAudioGaps },
    };
  }

  private async perform(step: CallerStep): Promise<void> {
    switch (step.type) {
      case 'say':
        return this.speak(step.text, false);
      case 'pause':
        return this.pause(step.ms);
      case 'waitFor': {
        const found = await this.waitUntil(() => {
          const at = findAgentSpeech(this.agentTexts(), this.agentCursor, step.agentSaid);
          return at >= 0 ? at : undefined;
        }, step.timeoutMs);
        if (found === undefined) {
          const heard = this.agentTexts().slice(this.agentCursor);
          const why =
            this.end || this.streamOver ? 'the call ended' : `nothing matched in ${step.timeoutMs} ms`;
          throw new StepFailed(
            `waitFor ${describeMatch(step.agentSaid)}: ${why}; agent said ${JSON.stringify(heard)}`,
          );
        }
        this.agentCursor = found + 1;
        return;
      }
      case 'bargeIn':
        await this.untilAgentHasSpoken(step.afterAgentStartsMs, step.timeoutMs, 'bargeIn');
        return this.speak(step.text, this.speaking !== undefined);
      case 'dtmf':
        for (const [i, digit] of [...step.digits].entries()) {
          this.assertLineUp('dtmf');
          if (i > 0) await this.pause(step.gapMs);
          this.session.sendDtmf(digit);
          this.emit({ type: 'dtmf', digit, atMs: this.session.nowMs() });
        }
        return;
      case 'hangup':
        if (step.afterAgentStartsMs !== undefined) {
          await this.untilAgentHasSpoken(step.afterAgentStartsMs, step.timeoutMs, 'hangup');
        }
        this.assertLineUp('hangup');
        await this.line.hangup();
        return;
      case 'waitForHangup': {
        const end = await this.waitUntil(() => this.end, step.timeoutMs, false);
        if (!end) throw new StepFailed(`waitForHangup: the call was still up after ${step.timeoutMs} ms`);
        if (end.endedBy !== 'agent')
          throw new StepFailed(`waitForHangup: the call ended by ${end.endedBy} (${end.detail})`);
        return;
      }
      case 'expectSilence': {
        const before = this.agentStarts;
        const spoke = await this.waitUntil(() => (this.agentStarts > before ? true : undefined), step.ms);
        if (spoke) throw new StepFailed(`expectSilence: the agent spoke within ${step.ms} ms`);
        return;
      }
    }
  }

  /** Waits for the agent to be speaking, then until it has been speaking for `ms`. */
  private async untilAgentHasSpoken(ms: number, timeoutMs: number, action: string): Promise<void> {
    const startMs = await this.waitUntil(() => this.speaking?.startMs, timeoutMs);
    if (startMs === undefined) {
      throw new StepFailed(`${action}: the agent did not start speaking within ${timeoutMs} ms`);
    }
    await this.session.until(startMs + ms);
  }

  private async speak(text: string, bargeIn: boolean): Promise<void> {
    this.assertLineUp(bargeIn ? 'bargeIn' : 'say');
    const mulaw = padToFrame(mulawEncode(synthesizeSpeech(text, SANDBOX_SAMPLE_RATE, this.options.pace)));
    const startMs = this.session.nowMs() + this.session.queuedInboundBytes / 8;
    const entry: TranscriptEntry = {
      speaker: 'caller',
      text: normalizeSpeechText(text),
      startMs,
      endMs: startMs + mulaw.length / 8,
      ...(bargeIn ? { bargeIn: true } : {}),
    };
    this.session.sendAudio(mulaw);
    this.callerEntries.push(entry);
    this.emit({ type: 'caller-said', entry });
    await this.session.inboundDrained();
  }

  private async pause(ms: number): Promise<void> {
    if (this.session.isOpen) await this.session.sleep(ms);
    else await realSleep(ms / this.session.speed);
  }

  /** `filled`: the share of the frame just played that was the agent's audio (1 = a full frame). */
  private countGap(filled: number): void {
    if (filled < 1) {
      // A hole opens only inside an utterance the agent is still playing; once open it lasts until
      // audio comes back, even if the decoder meanwhile gave the utterance up as cut short.
      if (this.starvedMs !== undefined) this.starvedMs += (1 - filled) * FRAME_MS;
      else if (this.speaking && !this.speaking.cleared) this.starvedMs = (1 - filled) * FRAME_MS;
      return;
    }
    if (this.starvedMs !== undefined) {
      this.agentAudioGaps.count++;
      this.agentAudioGaps.longestMs = Math.max(this.agentAudioGaps.longestMs, this.starvedMs);
      this.starvedMs = undefined;
    }
  }

  private hear(events: SpeechEvent[]): void {
    for (const event of events) {
      if (event.type === 'speech_start') {
        this.speaking = { startMs: event.atMs, cleared: false };
        this.agentStarts++;
        this.emit({ type: 'agent-started', atMs: event.atMs });
      } else if (event.type === 'utterance') {
        const interrupted = Boolean(event.truncated || this.speaking?.cleared);
        const entry: TranscriptEntry = {
          speaker: 'agent',
          text: interrupted ? event.text.replace(new RegExp(`${UNDECODABLE}+$`), '').trimEnd() : event.text,
          startMs: event.startMs,
          endMs: event.endMs,
          ...(interrupted ? { interrupted: true } : {}),
        };
        // An utterance that ended whole, or was cleared, leaves the line quiet by design: no hole.
        if (!event.truncated || this.speaking?.cleared) this.starvedMs = undefined;
        this.speaking = undefined;
        this.agentEntries.push(entry);
        this.emit({ type: 'agent-said', entry });
      }
    }
    if (events.length > 0) this.notify();
  }

  private agentTexts(): string[] {
    return this.agentEntries.map((e) => e.text);
  }

  /**
   * Resolves with `check()`'s first defined value, re-checked whenever the caller hears something or
   * the call ends; undefined after `timeoutMs` of call time, or as soon as the stream is over when
   * what is awaited can only come through the stream.
   */
  private waitUntil<T>(
    check: () => T | undefined,
    timeoutMs: number,
    needsStream = true,
  ): Promise<T | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs / this.session.speed);
      const evaluate = () => {
        const value = check();
        if (value !== undefined) finish(value);
        else if (this.end || (needsStream && this.streamOver)) finish(undefined);
      };
      const finish = (value: T | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(evaluate);
        resolve(value);
      };
      this.waiters.add(evaluate);
      evaluate();
    });
  }

  private notify(): void {
    for (const evaluate of [...this.waiters]) evaluate();
  }

  private assertLineUp(action: string): void {
    if (this.end || this.streamOver) throw new StepFailed(`${action}: the call has already ended`);
  }

  private emit(event: CallerEvent): void {
    this.options.onEvent?.(event);
  }
}

function padToFrame(mulaw: Buffer): Buffer {
  const rest = mulaw.length % FRAME_BYTES;
  return rest === 0 ? mulaw : Buffer.concat([mulaw, Buffer.alloc(FRAME_BYTES - rest, MULAW_SILENCE)]);
}

function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
