import type { FastifyBaseLogger } from 'fastify';

/** Distinct (event, code) pairs kept; beyond it, counts go to one overflow series. */
const MAX_SERIES = 64;
/** At most one log line per series in this interval; the line says how many it stands for. */
const LOG_EVERY_MS = 10_000;

/**
 * Refusals nobody authenticated for (failed logins, forged webhooks, anonymous probes): counted in
 * bounded in-process counters and logged at a bounded rate, never written one audit row each, so
 * an anonymous flood can fill neither the audit log nor the disk. Rendered in the Prometheus text
 * format, like the runtime's metrics.
 */
export class SecurityEvents {
  private readonly counts = new Map<string, { event: string; code: string; n: number }>();
  private readonly logged = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: FastifyBaseLogger,
    private readonly now: () => number = Date.now,
  ) {}

  refused(event: string, code: string, fields: { ip?: string; status?: number } = {}): void {
    let key = `${event}|${code}`;
    if (!this.counts.has(key) && this.counts.size >= MAX_SERIES) key = 'other|other';
    const series = this.counts.get(key) ?? { event: key === 'other|other' ? 'other' : event, code, n: 0 };
    series.n++;
    this.counts.set(key, series);

    const last = this.logged.get(key);
    const now = this.now();
    if (last && now - last.at < LOG_EVERY_MS) {
      last.suppressed++;
      return;
    }
    this.log.warn(
      { security: { event, code, ...fields, suppressedSinceLast: last?.suppressed ?? 0 } },
      'unauthenticated request refused',
    );
    this.logged.set(key, { at: now, suppressed: 0 });
  }

  /** Count of refusals for an event (all codes), for tests and dashboards. */
  total(event: string): number {
    let n = 0;
    for (const s of this.counts.values()) if (s.event === event) n += s.n;
    return n;
  }

  render(): string {
    const label = (v: string) => v.replace(/[\\"\n]/g, '_');
    return [
      '# HELP switchboard_unauthenticated_refusals_total Requests refused before anyone was authenticated.',
      '# TYPE switchboard_unauthenticated_refusals_total counter',
      ...[...this.counts.values()].map(
        (s) =>
          `switchboard_unauthenticated_refusals_total{event="${label(s.event)}",code="${label(s.code)}"} ${s.n}`,
      ),
      '',
    ].join('\n');
  }
}
