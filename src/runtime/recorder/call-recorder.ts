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

/** End of caller speech → first agent audio, and its parts, in ms. */
export interface TurnLatency {
  totalMs: number;
  sttMs: number | null;
  llmMs: number | null;
  ttsMs: number | null;
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
