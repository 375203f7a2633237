import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/** How often the event loop is sampled; each sample is the timer's interval, this included. */
const EVENT_LOOP_RESOLUTION_MS = 10;

/** Turn latency buckets, seconds. */
const LATENCY_BUCKETS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5];

/**
 * The runtime's Prometheus metrics, kept in process and rendered in the text exposition format
 * (there is no client library in the project; the format is small enough to write directly).
 */
export class RuntimeMetrics {
  activeCalls = 0;
  private readonly callsEnded = new Map<string, number>();
  private readonly providerErrors = new Map<string, number>();
  private readonly latencyCounts = LATENCY_BUCKETS.map(() => 0);
  private latencyCount = 0;
  private latencySum = 0;
  private eventLoop: IntervalHistogram | undefined;

  /**
   * Samples this process's event-loop delay (every 10 ms) until `stopWatchingEventLoop()`: every
   * call's audio waits behind a stall, so it is the first thing to read when callers hear gaps.
   */
  watchEventLoop(): void {
    this.eventLoop ??= monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    this.eventLoop.enable();
  }

  stopWatchingEventLoop(): void {
    this.eventLoop?.disable();
  }

  callEnded(status: string): void {
    this.callsEnded.set(status, (this.callsEnded.get(status) ?? 0) + 1);
  }

  providerError(kind: string): void {
    this.providerErrors.set(kind, (this.providerErrors.get(kind) ?? 0) + 1);
  }

  turnLatency(seconds: number): void {
    this.latencyCount++;
    this.latencySum += seconds;
    LATENCY_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.latencyCounts[i]!++;
    });
  }

  render(): string {
    const lines = [
      '# HELP switchboard_active_calls Calls running in this process.',
      '# TYPE switchboard_active_calls gauge',
      `switchboard_active_calls ${this.activeCalls}`,
      '# HELP switchboard_calls_ended_total Calls this process ended, by final status.',
      '# TYPE switchboard_calls_ended_total counter',
      ...[...this.callsEnded].map(([status, n]) => `switchboard_calls_ended_total{status="${status}"} ${n}`),
      '# HELP switchboard_provider_errors_total Provider failures seen by the call engine, by kind.',
      '# TYPE switchboard_provider_errors_total counter',
      ...[...this.providerErrors].map(
        ([kind, n]) => `switchboard_provider_errors_total{kind="${kind}"} ${n}`,
      ),
      "# HELP switchboard_turn_latency_seconds Caller's last audio frame to first agent audio on the line.",
      '# TYPE switchboard_turn_latency_seconds histogram',
      ...LATENCY_BUCKETS.map(
        (le, i) => `switchboard_turn_latency_seconds_bucket{le="${le}"} ${this.latencyCounts[i]}`,
      ),
      `switchboard_turn_latency_seconds_bucket{le="+Inf"} ${this.latencyCount}`,
      `switchboard_turn_latency_seconds_sum ${this.latencySum}`,
      `switchboard_turn_latency_seconds_count ${this.latencyCount}`,
      ...this.renderEventLoop(),
    ];
    return `${lines.join('\n')}\n`;
  }

  /** The event-loop delay since the previous scrape (the window restarts at each render). */
  private renderEventLoop(): string[] {
    const h = this.eventLoop;
    if (!h) return [];
    // A sample is the time between two ticks of a `resolution` timer: the delay is what exceeds it.
    const seconds = (ns: number) =>
      Number.isFinite(ns) ? Math.max(0, ns / 1e6 - EVENT_LOOP_RESOLUTION_MS) / 1000 : 0;
    const count = h.count;
    const lines = [
      '# HELP switchboard_event_loop_delay_seconds Event-loop delay of this process since the previous scrape (sampled every 10 ms).',
      '# TYPE switchboard_event_loop_delay_seconds summary',
      `switchboard_event_loop_delay_seconds{quantile="0.5"} ${count ? seconds(h.percentile(50)) : 0}`,
      `switchboard_event_loop_delay_seconds{quantile="0.99"} ${count ? seconds(h.percentile(99)) : 0}`,
      `switchboard_event_loop_delay_seconds{quantile="1"} ${count ? seconds(h.max) : 0}`,
      `switchboard_event_loop_delay_seconds_sum ${count ? seconds(h.mean) * count : 0}`,
      `switchboard_event_loop_delay_seconds_count ${count}`,
    ];
    h.reset();
    return lines;
  }
}
