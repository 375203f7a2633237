import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { EphemeralStore, Hit, Lock, SlotSet, Unsubscribe } from './store.js';

const INCREMENT = `local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;
const HIT = `local v = redis.call('INCRBY', KEYS[1], ARGV[1])
local t = redis.call('PTTL', KEYS[1])
if t < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) t = tonumber(ARGV[2]) end
return {v, t}`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

// Slot sets are sorted sets scored by expiry time (ms, the server's clock): expired members are
// dropped before counting, so a crashed holder's slots free themselves.
const TAKE_SLOTS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS
for i = 1, n do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  if not redis.call('ZSCORE', KEYS[i], ARGV[1]) and redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[2 + i]) then
    return i - 1
  end
end
for i = 1, n do
  redis.call('ZADD', KEYS[i], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2]) + 1000)
end
return -1`;
const REFRESH_SLOTS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do
  if redis.call('ZADD', KEYS[i], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1]) == 1 then
    if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[2]) + 1000 then redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2]) + 1000) end
  end
end
return 0`;
const SLOT_COUNT = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])`;

/** Redis-backed store; `keyPrefix` separates deployments (and test runs) sharing one server. */
export class RedisStore implements EphemeralStore {
  readonly kind = 'redis' as const;
  private readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  constructor(
    url: string,
    private readonly keyPrefix = 'sb:',
  ) {
    this.client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    // Connection errors surface on the commands that fail; the event itself must not crash the process.
    this.client.on('error', () => {});
  }

  async connect(): Promise<this> {
    await this.client.connect();
    return this;
  }

  private k(key: string): string {
    return this.keyPrefix + key;
  }

  async get(key: string): Promise<string | null> {
    return this.client.get(this.k(key));
  }

  async set(
    key: string,
    value: string,
    options: { ttlMs?: number; ifAbsent?: boolean } = {},
  ): Promise<boolean> {
    const k = this.k(key);
    let reply: string | null;
    if (options.ttlMs && options.ifAbsent) reply = await this.client.set(k, value, 'PX', options.ttlMs, 'NX');
    else if (options.ttlMs) reply = await this.client.set(k, value, 'PX', options.ttlMs);
    else if (options.ifAbsent) reply = await this.client.set(k, value, 'NX');
    else reply = await this.client.set(k, value);
    return reply === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.client.del(this.k(key));
  }

  async ttl(key: string): Promise<number | null> {
    const ms = await this.client.pttl(this.k(key));
    return ms < 0 ? null : ms;
  }

  async increment(key: string, options: { ttlMs: number; by?: number }): Promise<number> {
    const v = await this.client.eval(INCREMENT, 1, this.k(key), options.by ?? 1, options.ttlMs);
    return Number(v);
  }

  async hit(key: string, options: { ttlMs: number; by?: number }): Promise<Hit> {
    const [count, ttlMs] = (await this.client.eval(HIT, 1, this.k(key), options.by ?? 1, options.ttlMs)) as [
      number,
      number,
    ];
    return { count: Number(count), ttlMs: Number(ttlMs) };
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.k(channel), message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe> {
    const subscriber = await this.ensureSubscriber();
    const k = this.k(channel);
    let set = this.handlers.get(k);
    if (!set) {
      set = new Set();
      this.handlers.set(k, set);
      await subscriber.subscribe(k);
    }
    set.add(onMessage);
    return async () => {
      const current = this.handlers.get(k);
      if (!current?.delete(onMessage) || current.size > 0) return;
      this.handlers.delete(k);
      await subscriber.unsubscribe(k);
    };
  }

  private async ensureSubscriber(): Promise<Redis> {
    if (!this.subscriber) {
      this.subscriber = this.client.duplicate();
      this.subscriber.on('error', () => {});
      this.subscriber.on('message', (channel: string, message: string) => {
        for (const handler of this.handlers.get(channel) ?? []) handler(message);
      });
    }
    return this.subscriber;
  }

  async acquireLock(key: string, ttlMs: number): Promise<Lock | null> {
    const token = randomUUID();
    const k = this.k(key);
    if ((await this.client.set(k, token, 'PX', ttlMs, 'NX')) !== 'OK') return null;
    return {
      key,
      release: async () => Number(await this.client.eval(RELEASE, 1, k, token)) === 1,
      extend: async (ms) => Number(await this.client.eval(EXTEND, 1, k, token, ms)) === 1,
    };
  }

  async takeSlots(slots: readonly SlotSet[], member: string, ttlMs: number): Promise<number> {
    if (slots.length === 0) return -1;
    const reply = await this.client.eval(
      TAKE_SLOTS,
      slots.length,
      ...slots.map((s) => this.k(s.key)),
      member,
      ttlMs,
      ...slots.map((s) => s.limit),
    );
    return Number(reply);
  }

  async refreshSlots(keys: readonly string[], member: string, ttlMs: number): Promise<void> {
    if (keys.length === 0) return;
    await this.client.eval(REFRESH_SLOTS, keys.length, ...keys.map((k) => this.k(k)), member, ttlMs);
  }

  async releaseSlots(keys: readonly string[], member: string): Promise<void> {
    if (keys.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.zrem(this.k(key), member);
    await pipeline.exec();
  }

  async slotCount(key: string): Promise<number> {
    return Number(await this.client.eval(SLOT_COUNT, 1, this.k(key)));
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.client.disconnect();
  }
}
