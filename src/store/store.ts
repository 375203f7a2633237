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
  ping(): Promise<void>;
  close(): Promise<void>;
}
