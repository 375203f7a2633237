import { describe, expect, it } from 'vitest';
import { fullJitterBackoff, TenantBulkheads } from './resilience.js';

describe('fullJitterBackoff', () => {
  it('draws uniformly below base·2ⁿ, capped', () => {
    const top = fullJitterBackoff(100, 350, () => 0.999_999);
    expect([top.next(), top.next(), top.next(), top.next()]).toEqual([99, 199, 349, 349]);
    const bottom = fullJitterBackoff(100, 350, () => 0);
    expect([bottom.next(), bottom.next()]).toEqual([0, 0]);
  });
});

describe('TenantBulkheads', () => {
  it('runs up to the limit per tenant, queues, and refuses past the queue or the wait', async () => {
    const bulkheads = new TenantBulkheads(1, 1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = bulkheads.run('t1', 1_000, undefined, async () => {
      await held;
      return 'first';
    });
    const queued = bulkheads.run('t1', 1_000, undefined, async () => 'queued');
    const refused = bulkheads.run('t1', 1_000, undefined, async () => 'refused');
    const otherTenant = bulkheads.run('t2', 1_000, undefined, async () => 'other');
    expect(await refused).toBe('busy');
    expect(await otherTenant).toBe('other');
    release();
    expect(await first).toBe('first');
    expect(await queued).toBe('queued');
  });

  it('gives up waiting at the deadline and hands the slot on to the next waiter', async () => {
    const bulkheads = new TenantBulkheads(1, 2);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = bulkheads.run('t', 1_000, undefined, () => held.then(() => 'first'));
    const impatient = bulkheads.run('t', 20, undefined, async () => 'never');
    const patient = bulkheads.run('t', 1_000, undefined, async () => 'patient');
    expect(await impatient).toBe('busy');
    release();
    expect(await first).toBe('first');
    expect(await patient).toBe('patient');
  });
});
