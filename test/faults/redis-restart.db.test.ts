import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../src/db/index.js';
import { tenantCallSlots, workerCallSlots } from '../../src/runtime/calls/admit-inbound-call.js';
import { type CallUpdate, followCalls } from '../../src/runtime/live-events.js';
import { placeScenarioCall, startVoiceWorld, type VoiceWorld } from '../e2e/support/voice-world.js';
import { backendKind } from '../support/backend.js';
import { conversation, eventually, expectNextCallServed, expectNothingLost } from './conversation.js';
import { ThrowawayRedis } from './throwaway-redis.js';

// Redis only (the in-memory store cannot go away), and a Redis of this test's own: the machine's
// Redis is shared by the suites running beside this one.
const onRedis = backendKind() === 'services';
let redis: ThrowawayRedis;
let w: VoiceWorld;

beforeAll(async () => {
  if (!onRedis) return;
  redis = await ThrowawayRedis.start();
  w = await startVoiceWorld({ redisUrl: redis.url });
}, 180_000);
afterAll(async () => {
  await w?.close();
  await redis?.close();
});

/** The call's utterances as persisted so far. */
async function utteranceRows(callSid: string) {
  return w.backend.owner
    .select({ seq: tables.utterances.seq, createdAt: tables.utterances.createdAt })
    .from(tables.utterances)
    .innerJoin(tables.calls, eq(tables.calls.id, tables.utterances.callId))
    .where(eq(tables.calls.twilioCallSid, callSid))
    .orderBy(asc(tables.utterances.seq));
}

describe.skipIf(!onRedis)('Redis restarted mid-call', () => {
  it('the call goes on through the outage, gives its slots back once Redis is back, and the next call is served', {
    timeout: 120_000,
  }, async () => {
    // Redis dies once the greeting is out (its live update is the signal) and comes back once the
    // caller's question and the agent's answer, both said while it was down, are persisted.
    const updates: CallUpdate[] = [];
    let killedAt: Date | undefined;
    let killing: Promise<void> | undefined;
    const unsubscribe = await followCalls(w.backend.store, w.tenantId, (update) => {
      updates.push(update);
      if (update.type === 'utterance' && !killing) {
        killedAt = new Date();
        killing = redis.kill();
      }
    });
    let restartedAt: Date | undefined;
    let restarted = false;
    let slotsAfterRestart: number | undefined;
    const placing = placeScenarioCall(w, await conversation(undefined), { speed: 2 });
    const restarting = (async () => {
      const callSid = await eventually(async () => {
        const [row] = await w.backend.owner
          .select({ sid: tables.calls.twilioCallSid })
          .from(tables.calls)
          .where(eq(tables.calls.tenantId, w.tenantId));
        return row?.sid ?? undefined;
      });
      await eventually(async () => ((await utteranceRows(callSid)).length >= 3 ? true : undefined));
      await killing;
      await redis.up();
      restartedAt = new Date();
      restarted = true;
      slotsAfterRestart = await w.backend.store.slotCount(tenantCallSlots(w.tenantId));
    })();
    let placed: Awaited<typeof placing>;
    try {
      placed = await placing;
    } finally {
      await restarting;
      if (killing && !restarted) {
        await killing;
        await redis.up();
      }
    }

    expect(killedAt).toBeDefined();
    expect(placed.caller.failure, JSON.stringify(placed.caller.transcript)).toBeUndefined();
    expect(placed.row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    // Redis was back before the call ended: what the end does with the store met a live server.
    expect(restartedAt!.getTime()).toBeLessThan(placed.row.endedAt!.getTime());
    await expectNothingLost(w, placed);
    const rows = await utteranceRows(placed.callSid);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    // The question and its answer were said and stored while Redis was down.
    expect(rows[1]!.createdAt.getTime()).toBeGreaterThanOrEqual(killedAt!.getTime());
    expect(rows[2]!.createdAt.getTime()).toBeLessThanOrEqual(restartedAt!.getTime());

    // The call's admission slot survived the restart (append-only file) and was given back at its
    // end: it does not hold the tenant's or the worker's capacity until it lapses.
    expect(slotsAfterRestart).toBe(1);
    // (Unreleased, they would lapse only `staleAfterMs` (30 s) after the last heartbeat.)
    await eventually(
      async () => ((await w.backend.store.slotCount(tenantCallSlots(w.tenantId))) === 0 ? true : undefined),
      { timeoutMs: 10_000 },
    );
    expect(await w.backend.store.slotCount(workerCallSlots(w.voice.worker.workerId))).toBe(0);
    expect(w.voice.worker.activeCalls).toBe(0);

    // The next call is admitted and served, and its live updates reach a follower subscribed before
    // the restart.
    const before = updates.length;
    await expectNextCallServed(w);
    await unsubscribe();
    expect(updates.slice(before).map((u) => u.type)).toContain('utterance');
  });
});
