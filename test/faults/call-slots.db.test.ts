import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../src/db/index.js';
import { tenantCallSlots, workerCallSlots } from '../../src/runtime/calls/admit-inbound-call.js';
import { placeScenarioCall, startVoiceWorld, type VoiceWorld } from '../e2e/support/voice-world.js';
import { backendKind } from '../support/backend.js';
import { conversation, eventually } from './conversation.js';
import { ThrowawayRedis } from './throwaway-redis.js';

/**
 * A running call's slots (its tenant's concurrent-call count and its worker's) follow the call
 * through trouble with the store: lost mid-call (a restart without persistence, an outage longer
 * than their lapse), the next heartbeat takes them again; unreachable at hang-up, they are given back
 * once the store answers, not left to lapse. Slots lapse after 60 s here, so a count that returns to
 * what it should be within seconds is the worker's doing.
 */
const onRedis = backendKind() === 'services';
let redis: ThrowawayRedis | undefined;
let w: VoiceWorld;

beforeAll(async () => {
  // On Redis, a server of this test's own (it is stopped below); the in-memory store otherwise.
  if (onRedis) redis = await ThrowawayRedis.start();
  w = await startVoiceWorld({
    redisUrl: redis?.url,
    env: { CALL_HEARTBEAT_MS: '200', CALL_STALE_MS: '60000' },
  });
}, 180_000);
afterAll(async () => {
  await w?.close();
  await redis?.close();
});

const slots = () => ({
  tenant: tenantCallSlots(w.tenantId),
  worker: workerCallSlots(w.voice.worker.workerId),
});
const count = (key: string) => w.backend.store.slotCount(key);

/** The call now in progress on the tenant (the test places one at a time). */
async function callInProgress(): Promise<string> {
  return eventually(async () => {
    const [row] = await w.backend.owner
      .select({ id: tables.calls.id, status: tables.calls.status })
      .from(tables.calls)
      .where(eq(tables.calls.status, 'in_progress'));
    return row?.id;
  });
}

describe('call slots through store trouble', () => {
  it('a running call whose slots the store lost takes them again at its next heartbeat', {
    timeout: 60_000,
  }, async () => {
    const placing = placeScenarioCall(
      w,
      await conversation(undefined, [
        { type: 'waitFor', agentSaid: 'thanks for calling acme dental', timeoutMs: 15_000 },
        { type: 'pause', ms: 6000 },
        { type: 'hangup' },
      ]),
      { speed: 2 },
    );
    const callId = await callInProgress();
    const { tenant, worker } = slots();
    await eventually(async () => ((await count(tenant)) === 1 ? true : undefined));
    // What a store restart without persistence leaves: no trace of the running call.
    await w.backend.store.releaseSlots([tenant, worker], callId);
    expect(await count(tenant)).toBe(0);
    await eventually(async () => ((await count(tenant)) === 1 ? true : undefined), { timeoutMs: 2000 });
    expect(await count(worker)).toBe(1);
    const placed = await placing;
    expect(placed.row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    await eventually(async () => ((await count(tenant)) === 0 ? true : undefined), { timeoutMs: 5000 });
    expect(await count(worker)).toBe(0);
  });

  it.skipIf(!onRedis)(
    'slots whose release met Redis down are given back once it is up',
    {
      timeout: 90_000,
    },
    async () => {
      const placing = placeScenarioCall(w, await conversation(undefined), { speed: 2 });
      const callId = await callInProgress();
      const { tenant, worker } = slots();
      // Redis goes down once the agent has answered the question, and stays down past the hang-up.
      await eventually(async () => {
        const rows = await w.backend.owner
          .select({ seq: tables.utterances.seq })
          .from(tables.utterances)
          .where(eq(tables.utterances.callId, callId));
        return rows.length >= 3 ? true : undefined;
      });
      await redis!.kill();
      let placed: Awaited<typeof placing>;
      try {
        placed = await placing;
        expect(placed.row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
        await eventually(async () => (w.voice.worker.activeCalls === 0 ? true : undefined));
      } finally {
        await redis!.up();
      }
      // The append-only file brought the call's slots back; the worker's retry gives them back.
      await eventually(async () => ((await count(tenant)) === 0 ? true : undefined), { timeoutMs: 15_000 });
      expect(await count(worker)).toBe(0);
    },
  );
});
