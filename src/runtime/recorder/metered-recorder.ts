import type { RuntimeMetrics } from '../metrics.js';
import type { CallEnd, CallRecorder, UtteranceRecord } from './call-recorder.js';
import type { ModelUsageEntry } from './usage.js';

/** Passes everything on to `inner`, counting turn latencies and provider errors on the way. */
export class MeteredRecorder implements CallRecorder {
  constructor(
    private readonly inner: CallRecorder,
    private readonly metrics: RuntimeMetrics,
  ) {}

  answered(at: Date): void {
    this.inner.answered(at);
  }

  event(type: string, data?: Record<string, unknown>): void {
    if (type === 'provider_error') this.metrics.providerError(String(data?.kind ?? 'unknown'));
    this.inner.event(type, data);
  }

  utterance(utterance: UtteranceRecord): void {
    if (utterance.latency) this.metrics.turnLatency(utterance.latency.totalMs / 1000);
    this.inner.utterance(utterance);
  }

  usage(entries: ModelUsageEntry[]): void {
    this.inner.usage(entries);
  }

  ended(end: CallEnd): Promise<void> {
    this.metrics.callEnded(end.status);
    return this.inner.ended(end);
  }
}
