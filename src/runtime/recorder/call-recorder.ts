import type { CallEndReason } from '../../db/index.js';
import type { ModelUsageEntry } from './usage.js';

export type CallEndStatus = 'completed' | 'failed';

/** How a call ended: its final status, the closed reason, and when. */
export interface CallEnd {
  status: CallEndStatus;
  reason: CallEndReason;
  at: Date;
}

/** One spoken turn, with offsets in ms from the moment the call was answered. */
export interface UtteranceRecord {
  speaker: 'caller' | 'agent';
  text: string;
  startMs: number;
  endMs: number;
  interrupted: boolean;
  /** For agent turns answering the caller: latency from end of caller speech to first agent audio. */
  latency?: TurnLatency;
}

/**
 * The caller's last audio frame → first agent audio on the line, and its parts, in ms. Measured from
 * the end of the caller's audio, not from the STT's end-of-speech signal (which comes one
 * endpointing delay later), so it is what the caller hears.
 */
export interface TurnLatency {
  totalMs: number;
  sttMs: number | null;
  llmMs: number | null;
  ttsMs: number | null;
  /** When each stage happened, ms since the call was answered. */
  stages?: TurnStages;
}

/** The stages of one answer on the call's timeline (ms since answered); null where unmeasured. */
export interface TurnStages {
  /** The caller's last voiced audio frame reached the engine. */
  callerAudioEndMs: number | null;
  /** The STT's last final transcript of the turn arrived. */
  sttFinalMs: number | null;
  /** The LLM's first token arrived. */
  llmFirstTokenMs: number | null;
  /** The TTS's first audio arrived. */
  ttsFirstAudioMs: number | null;
  /** The first agent audio went out on the line. */
  agentAudioStartMs: number | null;
}

/**
 * Where the engine reports what happens on a call, as it happens. The database recorder persists
 * it and publishes live updates; tests use the in-memory one.
 */
export interface CallRecorder {
  /** The media connected and the engine runs: the call is in progress. */
  answered(at: Date): void;
  event(type: string, data?: Record<string, unknown>): void;
  utterance(utterance: UtteranceRecord): void;
  /** Provider usage so far (cumulative, replaces what was reported before). */
  usage(entries: ModelUsageEntry[]): void;
  /** The call is over; resolves once everything reported is stored. */
  ended(end: CallEnd): Promise<void>;
}
