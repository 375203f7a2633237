import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { EphemeralStore, Hit, Lock, SlotSet, Unsubscribe } from './store.js';

interface Entry {
  value: string;
  expiresAt: number | null;
}

/** Single-process store for the embedded default; same semantics as the Redis one. */
export class MemoryStore implements EphemeralStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly bus = new EventEmitter().setMaxListeners(0);
  /** Slot sets: member → expiry time. */
  private readonly slotSets = new Map<string, Map<string, number>>();

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

  /** The live members of a slot set, expired ones dropped. */
  private slotSet(key: string): Map<string, number> {
    let set = this.slotSets.get(key);
    if (!set) {
      set = new Map();
      this.slotSets.set(key, set);
    }
    const now = this.now();
    for (const [member, expiresAt] of set) if (expiresAt <= now) set.delete(member);
    return set;
  }

  // Each method runs synchronously from reading to writing, so concurrent callers cannot interleave.
  async takeSlots(slots: readonly SlotSet[], member: string, ttlMs: number): Promise<number> {
    const sets = slots.map((s) => this.slotSet(s.key));
    const full = sets.findIndex((set, i) => !set.has(member) && set.size >= (slots[i]?.limit ?? 0));
    if (full >= 0) return full;
    const expiresAt = this.now() + ttlMs;
    for (const set of sets) set.set(member, expiresAt);
    return -1;
  }

  async refreshSlots(keys: readonly string[], member: string, ttlMs: number): Promise<void> {
    for (const key of keys) {
      const set = this.slotSet(key);
      if (set.has(member)) set.set(member, this.now() + ttlMs);
    }
  }

  async releaseSlots(keys: readonly string[], member: string): Promise<void> {
    for (const key of keys) {
      const set = this.slotSets.get(key);
      set?.delete(member);
      if (set?.size === 0) this.slotSets.delete(key);
    }
  }

  async slotCount(key: string): Promise<number> {
    const size = this.slotSet(key).size;
    if (size === 0) this.slotSets.delete(key);
    return size;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.entries.clear();
    this.slotSets.clear();
    this.bus.removeAllListeners();
  }
}
