/** A held lock; release() is a no-op (returns false) once it has expired or been taken over. */
export interface Lock {
  readonly key: string;
  release(): Promise<boolean>;
  extend(ttlMs: number): Promise<boolean>;
}

/** What one rate-limit hit saw: the count including itself and the time left in the window. */
export interface Hit {
  count: number;
  ttlMs: number;
}

/** One set of a counting semaphore (see `takeSlots`). */
export interface SlotSet {
  key: string;
  limit: number;
}

export type Unsubscribe = () => Promise<void>;

/**
 * Ephemeral state shared by the instances of the platform: rate-limit counters, live call updates,
 * short locks. Nothing here is the system of record; losing it loses no business data.
 */
export interface EphemeralStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  /** Returns false when `ifAbsent` is set and the key already exists. */
  set(key: string, value: string, options?: { ttlMs?: number; ifAbsent?: boolean }): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Milliseconds left before the key expires; null when it has no TTL or does not exist. */
  ttl(key: string): Promise<number | null>;
  /** Atomically adds `by` (default 1); the TTL is set when the counter is created (fixed window). */
  increment(key: string, options: { ttlMs: number; by?: number }): Promise<number>;
  /**
   * One atomic increment-and-read for rate limits: adds `by` (default 1) and returns the new count with
   * the milliseconds left in its fixed window (started by the first hit), so a limit is decided on the
   * count this very hit produced: no check-then-increment race between concurrent requests.
   */
  hit(key: string, options: { ttlMs: number; by?: number }): Promise<Hit>;
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe>;
  acquireLock(key: string, ttlMs: number): Promise<Lock | null>;
  /**
   * A counting semaphore over one or more sets, in one atomic step and without waiting: `member`
   * takes a slot in every set of `slots` (each holding at most its `limit` live members), or in none
   * when any is full. A member already in a set keeps its slot (retrying is safe). Slots expire
   * `ttlMs` after they were taken or last refreshed, so a crashed holder frees them in time.
   * Returns the index in `slots` of the first full set, or -1 when the member holds all its slots.
   */
  takeSlots(slots: readonly SlotSet[], member: string, ttlMs: number): Promise<number>;
  /** Extends `member`'s slot in each of `keys` it holds to `ttlMs` from now (a heartbeat). */
  refreshSlots(keys: readonly string[], member: string, ttlMs: number): Promise<void>;
  /** Gives back `member`'s slot in each of `keys` (a no-op where it holds none). */
  releaseSlots(keys: readonly string[], member: string): Promise<void>;
  /** Live members of a slot set. */
  slotCount(key: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
