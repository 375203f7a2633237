import type { EphemeralStore } from '../../store/index.js';
import type { CallAgentConfig } from '../call-context.js';

// The webhook resolves the agent version; the media connects moments later, possibly on another
// instance or in a LiveKit job process. The resolved configuration waits for it here.
const key = (callId: string) => `call-config:${callId}`;

export async function handOffCallConfig(
  store: EphemeralStore,
  callId: string,
  config: CallAgentConfig,
  ttlMs: number,
): Promise<void> {
  await store.set(key(callId), JSON.stringify(config), { ttlMs });
}

export async function takeCallConfig(
  store: EphemeralStore,
  callId: string,
): Promise<CallAgentConfig | undefined> {
  const raw = await store.get(key(callId));
  return raw ? (JSON.parse(raw) as CallAgentConfig) : undefined;
}
