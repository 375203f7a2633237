import type { Deps } from '../../deps/index.js';
import { followCall } from '../live-events.js';
import { type CallRow, LIVE_STATUSES } from './call-row.js';
import { findCallById } from './find-call.js';

/**
 * The call once its end is recorded, or as it stands after `timeoutMs`. Subscribes before it reads,
 * so an end published in between is not missed; no polling, and the timer and the subscription
 * are released on every path.
 */
export async function waitForCallEnd(
  deps: Pick<Deps, 'db' | 'crossTenantLog' | 'store'>,
  callId: string,
  timeoutMs: number,
): Promise<CallRow | undefined> {
  let ended!: () => void;
  const endedEvent = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const unsubscribe = await followCall(deps.store, callId, (update) => {
    if (update.type === 'call_ended') ended();
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const row = await findCallById(deps, callId);
    if (!row || !LIVE_STATUSES.includes(row.status)) return row;
    await Promise.race([
      endedEvent,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await unsubscribe();
  }
  return findCallById(deps, callId);
}
