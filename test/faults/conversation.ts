import { loadScenario, Scenario, type ScenarioInput } from '@switchboard/sandbox';
import { expect } from 'vitest';
import {
  callRecord,
  type PlacedCall,
  placeScenarioCall,
  type VoiceWorld,
} from '../e2e/support/voice-world.js';
import { expectSameTurns } from '../support/transcripts.js';

/** A short conversation under `faults`: greeting, one question and its answer, goodbye. */
export async function conversation(
  faults: ScenarioInput['faults'],
  steps?: ScenarioInput['caller']['steps'],
): Promise<Scenario> {
  const base = await loadScenario('greeting-only');
  return Scenario.parse({
    ...base,
    caller: {
      ...base.caller,
      steps: steps ?? [
        { type: 'waitFor', agentSaid: 'thanks for calling acme dental', timeoutMs: 15_000 },
        { type: 'say', text: 'What time do you open?' },
        { type: 'waitFor', agentSaid: 'we open at eight', timeoutMs: 15_000 },
        { type: 'say', text: "That's all, goodbye." },
        { type: 'waitFor', agentSaid: 'goodbye', timeoutMs: 15_000 },
        { type: 'hangup' },
      ],
    },
    llm: {
      ...base.llm,
      rules: [
        { when: { firstTurn: true }, respond: { reply: 'Hi, thanks for calling Acme Dental.' } },
        { when: { userSays: 'open' }, respond: { reply: 'We open at eight in the morning.' } },
        { when: { userSays: ['goodbye', 'bye'] }, respond: { reply: 'Goodbye, have a nice day.' } },
      ],
    },
    faults,
  });
}

/**
 * What every fault must leave: a final status, every turn the caller heard or said persisted, every
 * tool attempt recorded with a final status.
 */
export async function expectNothingLost(w: VoiceWorld, placed: PlacedCall) {
  expect(['completed', 'failed']).toContain(placed.row.status);
  const record = await callRecord(w, placed.row.id);
  expectSameTurns(record.utterances, placed.caller.transcript);
  for (const execution of record.toolExecutions) {
    expect(['succeeded', 'failed', 'timed_out', 'rejected']).toContain(execution.status);
  }
  return record;
}

/** The next call after a fault is served as usual. */
export async function expectNextCallServed(w: VoiceWorld) {
  const next = await placeScenarioCall(w, await conversation(undefined));
  expect(next.caller.failure, JSON.stringify(next.caller.transcript)).toBeUndefined();
  expect(next.row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
  await expectNothingLost(w, next);
}

/**
 * Polls `probe` until it returns a value (for progress only visible in the database or the store),
 * failing after `timeoutMs`.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 30_000, everyMs = 50 } = {},
): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
