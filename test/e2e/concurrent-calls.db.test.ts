import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DRAFT } from '../../src/control/agents/index.js';
import { expectSameTurns } from '../support/transcripts.js';
import { callRecord, placeScenarioCall, startVoiceWorld, type VoiceWorld } from './support/voice-world.js';

const CALLS = 20;
let w: VoiceWorld;

beforeAll(async () => {
  w = await startVoiceWorld({ toolScenarios: ['book-appointment'], maxConcurrentCalls: CALLS });
});
afterAll(async () => {
  await w?.close();
});

describe(`${CALLS} concurrent sandbox calls`, () => {
  it('all complete, each with its own exact transcript, tool execution and recording', {
    timeout: 120_000,
  }, async () => {
    const started = Date.now();
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, w.voice.worker.activeCalls);
    }, 20);
    const calls = await Promise.all(
      Array.from({ length: CALLS }, () => placeScenarioCall(w, 'book-appointment', { speed: 2 })),
    );
    clearInterval(sampler);
    const wallMs = Date.now() - started;
    expect(peak).toBeGreaterThan(1);

    const latencies: number[] = [];
    for (const { caller, row, callSid } of calls) {
      expect(caller.failure, `${callSid}: ${JSON.stringify(caller.transcript)}`).toBeUndefined();
      expect(row).toMatchObject({ status: 'completed', endReason: 'caller_hangup' });
      const record = await callRecord(w, row.id);
      expectSameTurns(record.utterances, caller.transcript);
      expect(record.utterances.filter((u) => u.speaker === 'caller').map((u) => u.text)).toEqual([
        "i'd like to book a cleaning appointment next tuesday morning.",
        'great, thanks. bye!',
      ]);
      // A busy machine may hold the tool past the filler threshold: the agent then also says its
      // "tool is slow" phrase, which is right; everything else is exact.
      const agentTurns = record.utterances.filter((u) => u.speaker === 'agent').map((u) => u.text);
      expect(agentTurns.filter((t) => t !== DEFAULT_DRAFT.fallbackPhrases.toolSlow)).toEqual([
        'Hi, this is Acme Dental. How can I help you today?',
        'Let me check the calendar.',
        "You're booked. status: booked, day: Tuesday, May 14, time: 10:30 am, confirmation: AB12. Is there anything else?",
        'Goodbye, see you Tuesday.',
      ]);
      expect(record.toolExecutions.map((t) => t.status)).toEqual(['succeeded']);
      expect(record.recordings).toHaveLength(1);
      for (const u of record.utterances) {
        const latency = (u.metrics as { latency?: { totalMs: number } } | null)?.latency;
        if (latency) latencies.push(latency.totalMs);
      }
    }
    expect(w.sandbox.n8n.webhookCalls({ workflowId: w.workflows['book-appointment']! })).toHaveLength(CALLS);
    latencies.sort((a, b) => a - b);
    console.info(
      JSON.stringify({
        test: 'concurrent',
        calls: CALLS,
        peakActive: peak,
        wallMs,
        turnLatencyMs: {
          p50: latencies[Math.floor(latencies.length / 2)],
          p95: latencies[Math.floor(latencies.length * 0.95)],
        },
      }),
    );
  });
});
