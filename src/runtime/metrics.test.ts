import { describe, expect, it } from 'vitest';
import { RuntimeMetrics } from './metrics.js';

const delay = (text: string, quantile: string) =>
  Number(
    new RegExp(`switchboard_event_loop_delay_seconds\\{quantile="${quantile}"\\} (\\S+)`).exec(text)?.[1],
  );

describe('runtime metrics', () => {
  it('reports the event-loop stalls since the previous scrape', async () => {
    const metrics = new RuntimeMetrics();
    expect(metrics.render()).not.toContain('switchboard_event_loop_delay_seconds');
    metrics.watchEventLoop();
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      // A synchronous stall of 120 ms, as a long job on the call path would cause.
      const until = performance.now() + 120;
      while (performance.now() < until);
      await new Promise((resolve) => setTimeout(resolve, 30));
      const stalled = metrics.render();
      expect(delay(stalled, '1')).toBeGreaterThan(0.1);
      expect(stalled).toMatch(/switchboard_event_loop_delay_seconds_count [1-9]/);
      // The window restarts: a quiet stretch after the scrape shows no such stall.
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(delay(metrics.render(), '1')).toBeLessThan(delay(stalled, '1'));
    } finally {
      metrics.stopWatchingEventLoop();
    }
  });
});
