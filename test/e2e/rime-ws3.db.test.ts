import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameTurns } from '../support/transcripts.js';
import { callRecord, placeScenarioCall, startVoiceWorld, type VoiceWorld } from './support/voice-world.js';

let w: VoiceWorld;

beforeAll(async () => {
  w = await startVoiceWorld({ toolScenarios: ['book-appointment'], env: { RIME_TRANSPORT: 'ws3' } });
});
afterAll(async () => {
  await w?.close();
});

describe('Rime over /ws3 (one socket per reply, word timestamps)', () => {
  it('completes a call with a tool', async () => {
    const { caller, row, callSid } = await placeScenarioCall(w, 'book-appointment');
    expect(caller.failure).toBeUndefined();
    expect(row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    expect(w.sandbox.rime.requests(`test-${callSid}`).every((r) => r.kind === 'ws')).toBe(true);
    expectSameTurns((await callRecord(w, row.id)).utterances, caller.transcript);
  });

  it('cuts an interrupted reply at the last word heard, by its timestamps', async () => {
    const { caller, row } = await placeScenarioCall(w, 'barge-in');
    expect(caller.failure).toBeUndefined();
    const { utterances } = await callRecord(w, row.id);
    const cut = utterances.find((u) => u.text.startsWith('We are open'));
    expect(cut?.interrupted).toBe(true);
    expectSameTurns(utterances, caller.transcript);
  });
});
