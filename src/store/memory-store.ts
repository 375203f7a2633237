import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { EphemeralStore, Hit, Lock, Unsubscribe } from './store.js';

interface Entry {
  value: string;
  expiresAt: number | null;
}

/** Single-process store for the embedded default; same semantics as the Redis one. */
export class MemoryStore implements EphemeralStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly bus = new EventEmitter().setMaxListeners(0);

  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(
    key: string,
    value: string,
    options: { ttlMs?: number; ifAbsent?: boolean } = {},
  ): Promise<boolean> {
    if (options.ifAbsent && this.live(key)) return false;
    this.entries.set(key, { value, expiresAt: options.ttlMs ? this.now() + options.ttlMs : null });
    return true;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async ttl(key: string): Promise<number | null> {
    const entry = this.live(key);
    return entry?.expiresAt == null ? null : entry.expiresAt - this.now();
  }

  async increment(key: string, options: { ttlMs: number; by?: number }): Promise<number> {
    const entry = this.live(key);
    const next = (entry ? Number(entry.value) : 0) + (options.by ?? 1);
    this.entries.set(key, {
      value: String(next),
      expiresAt: entry ? entry.expiresAt : this.now() + options.ttlMs,
    });
    return next;
  }

  async hit(key: string, options: { ttlMs: number; by?: number }): Promise<Hit> {
    // Synchronous between reading and writing the entry, so concurrent hits cannot interleave.
    const count = await this.increment(key, options);
    const expiresAt = this.entries.get(key)?.expiresAt ?? this.now() + options.ttlMs;
    return { count, ttlMs: Math.max(0, expiresAt - this.now()) };
  }

  async publish(channel: string, message: string): Promise<void> {
    // Delivered asynchronously, as over a network, so publishers never run subscriber code inline.
    queueMicrotask(() => this.bus.emit(channel, message));
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe> {
    this.bus.on(channel, onMessage);
    return async () => {
      this.bus.off(channel, onMessage);
    };
  }

  async acquireLock(key: string, ttlMs: number): Promise<Lock | null> {
    const token = randomUUID();
    if (!(await this.set(key, token, { ttlMs, ifAbsent: true }))) return null;
    const owned = () => this.live(key)?.value === token;
    return {
      key,
      release: async () => {
        if (!owned()) return false;
        this.entries.delete(key);
        return true;
      },
      extend: async (ms) => {
        if (!owned()) return false;
        this.entries.set(key, { value: token, expiresAt: this.now() + ms });
        return true;
      },
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.entries.clear();
    this.bus.removeAllListeners();
  }
}
