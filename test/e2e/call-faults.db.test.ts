import type { ScenarioInput } from '@switchboard/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversation } from '../faults/conversation.js';
import { expectSameTurns } from '../support/transcripts.js';
import { callRecord, placeScenarioCall, startVoiceWorld, type VoiceWorld } from './support/voice-world.js';

const SILENT_AGENT = '+15005550123';
let w: VoiceWorld;

beforeAll(async () => {
  w = await startVoiceWorld({
    toolScenarios: ['tool-timeout'],
    toolTimeoutMs: 3000,
    extraAgents: [{ e164: SILENT_AGENT, draft: { limits: { maxDurationS: 60, silenceTimeoutS: 2 } } }],
  });
});
afterAll(async () => {
  await w?.close();
});

/** The faults conversation with two key presses after the greeting. */
const withKeyPresses: ScenarioInput['caller']['steps'] = [
  { type: 'waitFor', agentSaid: 'thanks for calling acme dental', timeoutMs: 15_000 },
  { type: 'dtmf', digits: '12' },
  { type: 'pause', ms: 300 },
  { type: 'say', text: 'What time do you open?' },
  { type: 'waitFor', agentSaid: 'we open at eight', timeoutMs: 15_000 },
  { type: 'say', text: "That's all, goodbye." },
  { type: 'waitFor', agentSaid: 'goodbye', timeoutMs: 15_000 },
  { type: 'hangup' },
];

describe('conversation behaviour and provider faults, each ending with the right status', () => {
  it('barge-in: the agent stops at once and keeps only what was heard, marked interrupted', async () => {
    const { caller, row } = await placeScenarioCall(w, 'barge-in');
    expect(caller.failure).toBeUndefined();
    expect(row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    expect(caller.clears.length).toBeGreaterThanOrEqual(1);
    const { utterances, events } = await callRecord(w, row.id);
    const cut = utterances.find((u) => u.text.startsWith('We are open'));
    expect(cut?.interrupted).toBe(true);
    expect(cut!.text.length).toBeLessThan(100);
    expect(events.map((e) => e.type)).toContain('agent_interrupted');
    expectSameTurns(utterances, caller.transcript);
  });

  it('caller hangs up mid-answer: completed, the answer cut where the line went', async () => {
    const { caller, row } = await placeScenarioCall(w, 'caller-hangs-up-mid-answer');
    expect(caller.failure).toBeUndefined();
    expect(row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    const { utterances, recordings } = await callRecord(w, row.id);
    const last = utterances.at(-1)!;
    expect(last).toMatchObject({ speaker: 'agent', interrupted: true });
    expect(last.text.length).toBeLessThan(120);
    expectSameTurns(utterances, caller.transcript);
    expect(recordings).toHaveLength(1);
  });

  it('STT socket drop: the engine reconnects and nothing the caller said is lost', async () => {
    const scenario = await conversation(
      { deepgram: { drop: { afterUtterances: 1, mode: 'abrupt', firstConnections: 1 } } },
      withKeyPresses,
    );
    const { caller, row, callSid } = await placeScenarioCall(w, scenario);
    expect(caller.failure, JSON.stringify(caller.transcript)).toBeUndefined();
    expect(row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    expect(w.sandbox.deepgram.connections(`test-${callSid}`).length).toBeGreaterThanOrEqual(2);
    const { utterances } = await callRecord(w, row.id);
    expect(utterances.filter((u) => u.speaker === 'caller').map((u) => u.text)).toEqual([
      'what time do you open?',
      "that's all, goodbye.",
    ]);
    expectSameTurns(utterances, caller.transcript);
  });

  it('LLM 429 then success: the request is retried and the call goes on', async () => {
    const scenario = await conversation(
      { llm: { rateLimit: { firstRequests: 1, retryAfterSeconds: 0 } } },
      withKeyPresses,
    );
    const { caller, row, callSid } = await placeScenarioCall(w, scenario);
    expect(caller.failure).toBeUndefined();
    expect(row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    const statuses = w.sandbox.openai.requests(`test-${callSid}`).map((r) => r.status);
    expect(statuses[0]).toBe(429);
    expect(statuses.slice(1).every((s) => s === 200)).toBe(true);
    const { utterances, events } = await callRecord(w, row.id);
    expect(utterances.map((u) => u.speaker)).toEqual(['agent', 'caller', 'agent', 'caller', 'agent']);
    // Key presses on the way are recorded as they come.
    expect(events.filter((e) => e.type === 'dtmf').map((e) => e.data?.digit)).toEqual(['1', '2']);
  });

  it('LLM 5xx exhausted: the agent apologises, hangs up, and the call is failed', async () => {
    const scenario = await conversation({ llm: { serverError: { status: 500 } } }, [
      { type: 'waitFor', agentSaid: 'something went wrong', timeoutMs: 15_000 },
      { type: 'waitForHangup', timeoutMs: 15_000 },
    ]);
    const { caller, row, call, callSid } = await placeScenarioCall(w, scenario);
    expect(caller.failure, JSON.stringify(caller.transcript)).toBeUndefined();
    expect(caller.end.endedBy).toBe('agent');
    expect(row).toMatchObject({ status: 'failed', endReason: 'llm_error' });
    expect(w.sandbox.openai.requests(`test-${callSid}`).length).toBe(3);
    const { events, utterances } = await callRecord(w, row.id);
    expect(events.filter((e) => e.type === 'provider_error').map((e) => e.data?.kind)).toContain('llm_error');
    expect(utterances.at(-1)?.text).toBe('Sorry, something went wrong on my side.');
    // The agent already apologised in its own voice: Twilio just hangs up.
    expect(call.events.some((e) => e.type === 'say')).toBe(false);
  });

  it('TTS 500: the call ends at once as failed, with an apology in Twilio’s voice', async () => {
    const scenario = await conversation({ rime: { serverError: { status: 500 } } }, [
      { type: 'waitForHangup', timeoutMs: 15_000 },
    ]);
    const { caller, row, call } = await placeScenarioCall(w, scenario);
    expect(caller.failure, JSON.stringify(caller)).toBeUndefined();
    expect(row).toMatchObject({ status: 'failed', endReason: 'tts_error' });
    const said = call.events.flatMap((e) => (e.type === 'say' ? [e.text] : []));
    expect(said).toEqual(['Sorry, something went wrong on our side. Please call again later. Goodbye.']);
    const { events, recordings } = await callRecord(w, row.id);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['provider_error', 'call_ended']));
    expect(recordings).toHaveLength(1);
  });

  it('silence timeout: the agent asks once, then says goodbye and hangs up', async () => {
    const { caller, row } = await placeScenarioCall(w, 'silence-timeout', { to: SILENT_AGENT });
    expect(caller.failure, JSON.stringify(caller.transcript)).toBeUndefined();
    expect(row).toMatchObject({ status: 'completed', endReason: 'silence_timeout' });
    const { utterances } = await callRecord(w, row.id);
    expect(utterances.map((u) => u.text)).toEqual([
      'Hello, Acme Dental. How can I help?',
      'Are you still there?',
      'Thank you for calling. Goodbye.',
    ]);
  });

  it('a tool that never answers: a filler phrase while waiting, then the timeout reaches the LLM', async () => {
    const { caller, row } = await placeScenarioCall(w, 'tool-timeout');
    expect(caller.failure, JSON.stringify(caller.transcript)).toBeUndefined();
    expect(row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
    const { utterances, toolExecutions } = await callRecord(w, row.id);
    expect(toolExecutions.map((t) => [t.toolName, t.status])).toEqual([['book_appointment', 'timed_out']]);
    const agentSaid = utterances.filter((u) => u.speaker === 'agent').map((u) => u.text);
    // The LLM's own "one moment", the filler said while the workflow hangs, then the apology
    // (the caller talks over its second sentence).
    expect(agentSaid.slice(0, 4)).toEqual([
      'Hi, this is Acme Dental. How can I help you today?',
      'One moment while I look that up.',
      'One moment while I look that up.',
      'Sorry, the booking system is not answering right now.',
    ]);
    expectSameTurns(utterances, caller.transcript);
  });
});
