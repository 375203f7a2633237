import { loadScenario, newTwilioSid, runCaller } from '@switchboard/sandbox';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AGENT_NUMBER,
  startVoiceWorld,
  type VoiceWorld,
  waitForFinalCall,
} from '../../test/e2e/support/voice-world.js';
import { call as apiCall } from '../../test/support/app.js';
import { tables } from '../db/index.js';

const WORKER_MAX_CALLS = 2;
const BURST = 5;
const BUSY = 'All our lines are busy right now.';

let w: VoiceWorld;

beforeAll(async () => {
  w = await startVoiceWorld({
    maxConcurrentCalls: 10,
    overrides: { worker: { maxCalls: WORKER_MAX_CALLS } },
  });
}, 180_000);
afterAll(async () => {
  await w?.close();
});

describe('admission under a burst', () => {
  it('admits no more calls than the worker runs, ringing ones included; the rest hear the busy message', {
    timeout: 120_000,
  }, async () => {
    const scenario = await loadScenario('greeting-only');
    const placed = await Promise.all(
      Array.from({ length: BURST }, async () => {
        const callSid = newTwilioSid('CA');
        w.sandbox.applyScenario(`test-${callSid}`, { ...scenario, n8n: undefined });
        const call = await w.sandbox.twilio.placeCall({
          callSid,
          from: scenario.caller.from,
          to: AGENT_NUMBER,
          // Real time: the greeting's 15 s wait holds even on a loaded machine.
          speed: 1,
        });
        const connected = call.twiml?.some((verb) => verb.verb === 'Connect') ?? false;
        const caller = connected ? await runCaller(call, scenario.caller) : undefined;
        await call.ended;
        return { callSid, call, caller, row: await waitForFinalCall(w, callSid) };
      }),
    );
    const served = placed.filter((p) => p.caller);
    const refused = placed.filter((p) => !p.caller);
    expect(served).toHaveLength(WORKER_MAX_CALLS);
    expect(refused).toHaveLength(BURST - WORKER_MAX_CALLS);
    for (const p of served) {
      expect(p.caller?.failure, JSON.stringify(p.row)).toBeUndefined();
      expect(p.row).toMatchObject({ status: 'completed' });
    }
    for (const p of refused) {
      expect(p.call.events.find((e) => e.type === 'say')).toMatchObject({
        text: expect.stringContaining(BUSY),
      });
      expect(p.row).toMatchObject({ status: 'rejected', endReason: 'worker_busy' });
    }
    const sids = placed.map((p) => p.callSid);
    const rows = (await w.backend.owner.select().from(tables.calls)).filter((r) =>
      sids.includes(r.twilioCallSid ?? ''),
    );
    expect(rows.filter((r) => r.endReason === 'no_media')).toEqual([]);
    // Every slot is given back once the worker lets go of its calls.
    await vi.waitFor(
      async () =>
        expect(await w.backend.deps.store.slotCount(`call-slots:worker:${w.voice.worker.workerId}`)).toBe(0),
      { timeout: 10_000, interval: 50 },
    );
  });
});

describe('POST /api/sandbox/calls when no line is free', () => {
  it("answers 503 LINES_BUSY with Retry-After at once when the tenant's limit is reached", {
    timeout: 60_000,
  }, async () => {
    const admin = w.world.as.admin;
    await apiCall(w.app, admin, 'PATCH', `/api/tenants/${w.tenantId}`, { maxConcurrentCalls: 1 });
    // A call that rang and holds the tenant's only slot (its media never connects).
    const holder = await w.sandbox.twilio.placeCall({
      from: '+14155550100',
      to: AGENT_NUMBER,
      voiceUrl: `${w.url}/twilio/voice`,
      speed: 4,
    });
    expect(holder.twiml?.some((verb) => verb.verb === 'Connect')).toBe(true);
    const res = await apiCall(w.app, w.world.as.operator, 'POST', '/api/sandbox/calls', {
      to: AGENT_NUMBER,
      scenario: 'greeting-only',
      speed: 4,
    });
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json().error).toMatchObject({
      code: 'LINES_BUSY',
      details: { reason: 'over_concurrent_limit' },
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    const [row] = await w.backend.owner
      .select()
      .from(tables.calls)
      .where(eq(tables.calls.id, res.json().error.details.callId));
    expect(row).toMatchObject({ status: 'rejected', endReason: 'over_concurrent_limit' });
    await holder.hangup();
  });
});
