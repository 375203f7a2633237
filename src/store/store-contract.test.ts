import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisUrl } from '../../test/support/urls.js';
import { type EphemeralStore, MemoryStore, RedisStore } from './index.js';

/** One contract, two implementations: the embedded default must behave like production. */
describe.each([
  { name: 'memory', open: async () => new MemoryStore() as EphemeralStore, prefix: '' },
  {
    name: 'redis',
    prefix: `sbtest:${randomBytes(4).toString('hex')}:`,
    open: async function (this: { prefix: string }) {
      return new RedisStore(redisUrl(), this.prefix).connect();
    },
  },
])('ephemeral store: $name', (impl) => {
  let store: EphemeralStore;
  beforeAll(async () => {
    store = await impl.open.call(impl);
  });
  afterAll(async () => {
    await store?.close();
    if (impl.prefix) {
      const redis = new Redis(redisUrl());
      const keys = await redis.keys(`${impl.prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('sets, gets and deletes values', async () => {
    expect(await store.get('k1')).toBeNull();
    expect(await store.set('k1', 'v1')).toBe(true);
    expect(await store.get('k1')).toBe('v1');
    await store.delete('k1');
    expect(await store.get('k1')).toBeNull();
  });

  it('honours ifAbsent', async () => {
    expect(await store.set('k2', 'first', { ifAbsent: true })).toBe(true);
    expect(await store.set('k2', 'second', { ifAbsent: true })).toBe(false);
    expect(await store.get('k2')).toBe('first');
  });

  it('expires keys after their TTL and reports the time left', async () => {
    await store.set('k3', 'v', { ttlMs: 60 });
    const left = await store.ttl('k3');
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(60);
    expect(await store.ttl('no-such-key')).toBeNull();
    await vi.waitFor(async () => expect(await store.get('k3')).toBeNull(), { timeout: 2000, interval: 20 });
  });

  it('counts atomically in a fixed window that starts at the first increment', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.increment('c1', { ttlMs: 10_000 })),
    );
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const ttlBefore = await store.ttl('c1');
    await store.increment('c1', { ttlMs: 60_000, by: 5 });
    expect(await store.get('c1')).toBe('25');
    expect(await store.ttl('c1')).toBeLessThanOrEqual(ttlBefore!);
  });

  it('hits a rate-limit counter atomically, reading the count and window left in the same step', async () => {
    const hits = await Promise.all(Array.from({ length: 30 }, () => store.hit('rl1', { ttlMs: 10_000 })));
    expect(hits.map((h) => h.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    for (const h of hits) {
      expect(h.ttlMs).toBeGreaterThan(0);
      expect(h.ttlMs).toBeLessThanOrEqual(10_000);
    }
    // The window is fixed by the first hit: later hits with another TTL do not stretch it.
    const later = await store.hit('rl1', { ttlMs: 60_000, by: 2 });
    expect(later.count).toBe(32);
    expect(later.ttlMs).toBeLessThanOrEqual(10_000);
    // Exactly `limit` of a parallel burst see a count within the limit.
    const burst = await Promise.all(Array.from({ length: 15 }, () => store.hit('rl2', { ttlMs: 10_000 })));
    expect(burst.filter((h) => h.count <= 5)).toHaveLength(5);
  });

  it('starts a new window once the old one expired', async () => {
    await store.hit('rl3', { ttlMs: 50 });
    await vi.waitFor(async () => expect((await store.hit('rl3', { ttlMs: 10_000 })).count).toBe(1), {
      timeout: 2000,
      interval: 60,
    });
  });

  it('delivers published messages to every subscriber until it unsubscribes', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const offA = await store.subscribe('call:1', (m) => a.push(m));
    const offB = await store.subscribe('call:1', (m) => b.push(m));
    await store.publish('call:1', 'one');
    await store.publish('call:2', 'elsewhere');
    await vi.waitFor(() => expect([a, b]).toEqual([['one'], ['one']]), { timeout: 2000, interval: 10 });
    await offA();
    await store.publish('call:1', 'two');
    await vi.waitFor(() => expect(b).toEqual(['one', 'two']), { timeout: 2000, interval: 10 });
    expect(a).toEqual(['one']);
    await offB();
  });

  it('grants a lock to one holder at a time, releases only the holder’s, and extends it', async () => {
    const attempts = await Promise.all(Array.from({ length: 5 }, () => store.acquireLock('lock:1', 5000)));
    const held = attempts.filter((l) => l !== null);
    expect(held).toHaveLength(1);
    const lock = held[0]!;
    expect(await lock.extend(10_000)).toBe(true);
    expect(await store.ttl('lock:1')).toBeGreaterThan(5000);
    expect(await lock.release()).toBe(true);
    expect(await lock.release()).toBe(false);
    const next = await store.acquireLock('lock:1', 5000);
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('lets a lock expire so a crashed holder cannot block others forever', async () => {
    const stale = await store.acquireLock('lock:2', 50);
    expect(stale).not.toBeNull();
    await vi.waitFor(async () => expect(await store.acquireLock('lock:2', 5000)).not.toBeNull(), {
      timeout: 2000,
      interval: 20,
    });
    expect(await stale!.release()).toBe(false);
  });
  it('takes counting-semaphore slots atomically across sets: all or none, never over a limit', async () => {
    const slots = [
      { key: 'slots:tenant', limit: 3 },
      { key: 'slots:worker', limit: 5 },
    ];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.takeSlots(slots, `call-${i}`, 10_000)),
    );
    expect(results.filter((r) => r === -1)).toHaveLength(3);
    expect(results.filter((r) => r === 0)).toHaveLength(7);
    expect(await store.slotCount('slots:tenant')).toBe(3);
    // A refused member took no slot in the other set either.
    expect(await store.slotCount('slots:worker')).toBe(3);
    const holder = `call-${results.indexOf(-1)}`;
    // A holder asking again keeps its slot; a full second set is reported by its index.
    expect(await store.takeSlots(slots, holder, 10_000)).toBe(-1);
    expect(
      await store.takeSlots(
        [
          { key: 'slots:tenant', limit: 9 },
          { key: 'slots:worker', limit: 3 },
        ],
        'x',
        10_000,
      ),
    ).toBe(1);
    await store.releaseSlots(['slots:tenant', 'slots:worker'], holder);
    expect(await store.slotCount('slots:tenant')).toBe(2);
    expect(await store.takeSlots(slots, 'late', 10_000)).toBe(-1);
    expect(await store.takeSlots(slots, 'later', 10_000)).toBe(0);
  });

  it('frees a slot when its holder stops refreshing it, and keeps a refreshed one', async () => {
    expect(await store.takeSlots([{ key: 'slots:ttl', limit: 2 }], 'kept', 150)).toBe(-1);
    expect(await store.takeSlots([{ key: 'slots:ttl', limit: 2 }], 'lapsed', 150)).toBe(-1);
    await store.refreshSlots(['slots:ttl'], 'kept', 10_000);
    // Refreshing a slot one does not hold takes none.
    await store.refreshSlots(['slots:ttl'], 'stranger', 10_000);
    await vi.waitFor(async () => expect(await store.slotCount('slots:ttl')).toBe(1), {
      timeout: 2000,
      interval: 30,
    });
    expect(await store.takeSlots([{ key: 'slots:ttl', limit: 2 }], 'next', 10_000)).toBe(-1);
    expect(await store.takeSlots([{ key: 'slots:ttl', limit: 2 }], 'stranger', 10_000)).toBe(0);
  });
});
