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

/** Publishes on the call's channel and its tenant's (for call lists). Best effort: never throws. */
export async function publishCallUpdate(store: EphemeralStore, update: CallUpdate): Promise<void> {
  const message = JSON.stringify(update);
  await Promise.all([
    store.publish(callChannel(update.callId), message),
    store.publish(tenantCallsChannel(update.tenantId), message),
  ]).catch(() => {});
}

/** Follows one call's updates. */
export function followCall(
  store: EphemeralStore,
  callId: string,
  onUpdate: (update: CallUpdate) => void,
): Promise<Unsubscribe> {
  return store.subscribe(callChannel(callId), (message) => onUpdate(JSON.parse(message) as CallUpdate));
}
