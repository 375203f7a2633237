import type { voice } from '@livekit/agents';

/** How the line ended, from the engine's point of view. */
export interface LineEnd {
  /** `caller`: the far end hung up; `agent`: we hung up; `transport`: the media connection failed. */
  by: 'caller' | 'agent' | 'transport';
  reason: string;
}

/** Taps both directions of the line, e.g. for the call recording. Times are ms on the line's clock. */
export interface AudioTap {
  /** Caller audio as received, PCM16 mono at `sampleRate`. */
  caller(pcm: Int16Array, atMs: number): void;
  /** Agent audio as handed to the line for playback. */
  agent(pcm: Int16Array, atMs: number): void;
  /** Agent audio queued after `atMs` was dropped (barge-in): it never played. */
  agentCut(atMs: number): void;
}

/**
 * One call's audio transport, as the call engine sees it. Media Streams, a LiveKit room and tests
 * each provide one; nothing above this interface knows which carries the call.
 */
export interface CallIO {
  /** A name for logs only: the engine behaves the same on every transport. */
  readonly transport: string;
  readonly sampleRate: number;
  readonly audioInput: voice.AudioInput;
  readonly audioOutput: voice.AudioOutput;
  /** Resolves once, when the line is gone. */
  readonly ended: Promise<LineEnd>;
  /** Ms of line time since the media started (the clock recordings and transcripts use). */
  nowMs(): number;
  /** Seconds of caller audio handed to the engine (what the STT is sent and billed for). */
  callerAudioSeconds(): number;
  onDtmf(listener: (digit: string) => void): void;
  setTap(tap: AudioTap | undefined): void;
  /** Hangs up from our side (what is still queued is dropped). */
  hangup(reason: string): Promise<void>;
  /**
   * The engine is done with the line: input ends, and agent speech still pending is settled, as
   * played if the caller heard all of it, else as interrupted where they stopped hearing it.
   * Returns whether agent speech was cut short.
   */
  release(): boolean;
}
