import type { CallEnd, CallRecorder, UtteranceRecord } from './call-recorder.js';
import type { ModelUsageEntry } from './usage.js';

/** Keeps what a call reports in memory: for engine tests and for runs without a database. */
export class MemoryCallRecorder implements CallRecorder {
  answeredAt: Date | undefined;
  readonly events: { type: string; at: Date; data?: Record<string, unknown> }[] = [];
  readonly utterances: UtteranceRecord[] = [];
  usageEntries: ModelUsageEntry[] = [];
  end: CallEnd | undefined;

  answered(at: Date): void {
    this.answeredAt = at;
  }
  event(type: string, data?: Record<string, unknown>): void {
    this.events.push({ type, at: new Date(), ...(data ? { data } : {}) });
  }
  utterance(utterance: UtteranceRecord): void {
    this.utterances.push(utterance);
  }
  usage(entries: ModelUsageEntry[]): void {
    this.usageEntries = entries;
  }
  async ended(end: CallEnd): Promise<void> {
    this.end = end;
  }
}
