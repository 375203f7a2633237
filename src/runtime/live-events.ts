import type { EphemeralStore, Unsubscribe } from '../store/index.js';

/** A change to a call, as the console follows it live. */
export interface CallUpdate {
  callId: string;
  tenantId: string;
  type: string;
  at: string;
  data?: Record<string, unknown>;
}

export const callChannel = (callId: string) => `call:${callId}`;
export const tenantCallsChannel = (tenantId: string) => `calls:${tenantId}`;
/** Every tenant's updates, for agency staff (no tenant id can be `all`). */
export const ALL_CALLS_CHANNEL = 'calls:all';

/** Publishes on the call's channel, its tenant's and the all-tenants one. Best effort: never throws. */
export async function publishCallUpdate(store: EphemeralStore, update: CallUpdate): Promise<void> {
  const message = JSON.stringify(update);
  await Promise.all([
    store.publish(callChannel(update.callId), message),
    store.publish(tenantCallsChannel(update.tenantId), message),
    store.publish(ALL_CALLS_CHANNEL, message),
  ]).catch(() => {});
}

/** Follows every call of one tenant (tenantId) or of all tenants (null). */
export function followCalls(
  store: EphemeralStore,
  tenantId: string | null,
  onUpdate: (update: CallUpdate) => void,
): Promise<Unsubscribe> {
  return store.subscribe(tenantId === null ? ALL_CALLS_CHANNEL : tenantCallsChannel(tenantId), (message) =>
    onUpdate(JSON.parse(message) as CallUpdate),
  );
}

/** Follows one call's updates. */
export function followCall(
  store: EphemeralStore,
  callId: string,
  onUpdate: (update: CallUpdate) => void,
): Promise<Unsubscribe> {
  return store.subscribe(callChannel(callId), (message) => onUpdate(JSON.parse(message) as CallUpdate));
}
