import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { EphemeralStore } from './store.js';

export { MemoryStore } from './memory-store.js';
export { RedisStore } from './redis-store.js';
export type { EphemeralStore, Hit, Lock, SlotSet, Unsubscribe } from './store.js';

export type StoreTarget = { kind: 'memory' } | { kind: 'redis'; url: string; keyPrefix?: string };

export async function openStore(target: StoreTarget): Promise<EphemeralStore> {
  if (target.kind === 'memory') return new MemoryStore();
  return new RedisStore(target.url, target.keyPrefix).connect();
}
