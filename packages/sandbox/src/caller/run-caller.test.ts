import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioEmulator, type TwilioEmulator } from '../twilio/emulator.js';
import { startStreamServer } from '../twilio/stream-server.test-support.js';
import { LONG_ANSWER, runEchoAgent, STALL_MS } from './echo-agent.test-support.js';
import { formatCallerEvent } from './format-caller-event.js';
import { type CallerEvent, runCaller } from './run-caller.js';
import type { CallerScriptInput } from './script.js';

describe('simulated caller against a scripted agent', () => {
  let emulator: TwilioEmulator;
  let app: Awaited<ReturnType<typeof startStreamServer>>;

  beforeAll(async () => {
    app = await startStreamServer({
      request: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(`<Response><Connect><Stream url="${app.url}"/></Connect></Response>`);
      },
    });
    emulator = await startTwilioEmulator({
      numbers: [{ phoneNumber: '+14155550100', voiceUrl: `${app.server.url}/voice` }],
      callDefaults: { speed: 4 },
    });
  });
  afterAll(async () => {
    await emulator.close();
    await app.close();
  });

  async function call(script: CallerScriptInput['steps'], events?: CallerEvent[]) {
    const placed = await emulator.placeCall({ from: '+14155550123', to: '+14155550100' });
    const socket = await app.nextSocket();
    const agent = runEchoAgent(socket.ws);
    const result = await runCaller(placed, { steps: script }, { onEvent: (e) => events?.push(e) });
    return { result, agent, placed };
  }

  it('holds a conversation: speech both ways, DTMF, marks, and the agent hanging up', async () => {
    const events: CallerEvent[] = [];
    const { result, agent } = await call(
      [
        { type: 'waitFor', agentSaid: 'how can I help' },
        { type: 'say', text: 'I need an appointment' },
        { type: 'waitFor', agentSaid: { regex: '^you said i need an appointment$' } },
        { type: 'dtmf', digits: '12' },
        { type: 'waitFor', agentSaid: 'you pressed 1' },
        { type: 'waitFor', agentSaid: 'you pressed 2' },
        { type: 'say', text: 'Bye' },
        { type: 'waitForHangup' },
      ],
      events,
    );
    expect(result.failure).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.transcript.map((e) => [e.speaker, e.text])).toEqual([
      ['agent', 'hello, how can i help?'],
      ['caller', 'i need an appointment'],
      ['agent', 'you said i need an appointment'],
      ['agent', 'you pressed 1'],
      ['agent', 'you pressed 2'],
      ['caller', 'bye'],
      ['agent', 'goodbye'],
    ]);
    expect(agent.heard).toEqual(['i need an appointment', 'bye']);
    expect(result.dtmf.map((d) => d.digit)).toEqual(['1', '2']);
    expect(result.marks.map((m) => m.name)).toEqual(['utt-1', 'utt-2', 'utt-3', 'utt-4', 'utt-5']);
    expect(result.end).toMatchObject({ endedBy: 'agent' });
    // Every answer reached the line whole: the caller heard no gap inside one.
    expect(result.agentAudioGaps).toEqual({ count: 0, longestMs: 0 });
    for (const entry of result.transcript) expect(entry.endMs).toBeGreaterThan(entry.startMs);
    // Each mark is echoed once the utterance before it has played.
    const agentEnds = result.transcript.filter((e) => e.speaker === 'agent').map((e) => e.endMs);
    for (const [i, mark] of result.marks.entries()) expect(mark.atMs).toBeGreaterThanOrEqual(agentEnds[i]!);
    expect(events.filter((e) => e.type === 'agent-said')).toHaveLength(5);
    expect(events.at(-1)?.type).toBe('ended');
    const printed = events.flatMap((e) => formatCallerEvent(e) ?? []);
    expect(printed[0]).toMatch(/^\[ +\d+\.\d\ds\] agent: {2}hello, how can i help\?$/);
    expect(printed).toContainEqual(expect.stringMatching(/caller pressed 2$/));
    expect(printed.at(-1)).toMatch(/call ended by agent/);
  });

  it('barges in: the agent clears its audio and the cut answer is marked interrupted', async () => {
    const { result } = await call([
      { type: 'waitFor', agentSaid: 'how can I help' },
      { type: 'say', text: 'long' },
      { type: 'bargeIn', text: 'stop please', afterAgentStartsMs: 400 },
      { type: 'waitFor', agentSaid: 'you said stop please' },
      { type: 'hangup' },
    ]);
    expect(result.failure).toBeUndefined();
    expect(result.clears).toHaveLength(1);
    const cut = result.transcript.find((e) => e.speaker === 'agent' && e.interrupted);
    expect(cut).toBeDefined();
    expect(LONG_ANSWER.startsWith(cut?.text ?? 'x')).toBe(true);
    expect(cut?.text.length).toBeLessThan(LONG_ANSWER.length);
    const barge = result.transcript.find((e) => e.bargeIn);
    expect(barge).toMatchObject({ speaker: 'caller', text: 'stop please' });
    expect(barge!.startMs).toBeLessThan(cut!.endMs);
    expect(result.end.endedBy).toBe('caller');
  });

  it('counts the silence the line forces into an answer whose audio comes late', async () => {
    const { result } = await call([
      { type: 'waitFor', agentSaid: 'how can I help' },
      { type: 'say', text: 'stall' },
      { type: 'pause', ms: 4000 },
      { type: 'hangup' },
    ]);
    expect(result.failure).toBeUndefined();
    // The caller hears the answer cut at the hole: the stall (wall clock) at the line's speed 4, less
    // the half already buffered that played meanwhile.
    const answer = result.transcript.find((e) => e.speaker === 'agent' && e.startMs > 500);
    expect(answer).toMatchObject({ interrupted: true });
    expect(LONG_ANSWER.startsWith(answer!.text)).toBe(true);
    expect(result.agentAudioGaps.count).toBe(1);
    expect(result.agentAudioGaps.longestMs).toBeGreaterThan(100);
    expect(result.agentAudioGaps.longestMs).toBeLessThan(STALL_MS * 4);
  });

  it('hangs up in the middle of an answer', async () => {
    const { result, placed } = await call([
      { type: 'waitFor', agentSaid: 'how can I help' },
      { type: 'say', text: 'long' },
      { type: 'pause', ms: 800 },
      { type: 'hangup' },
    ]);
    expect(result.ok).toBe(true);
    const last = result.transcript.at(-1);
    expect(last).toMatchObject({ speaker: 'agent', interrupted: true });
    expect(LONG_ANSWER.startsWith(last?.text ?? 'x')).toBe(true);
    expect(await placed.ended).toMatchObject({ endedBy: 'caller' });
  });

  it('fails a step that times out, says why, and hangs up', async () => {
    const { result } = await call([
      { type: 'waitFor', agentSaid: 'something never said', timeoutMs: 600 },
      { type: 'say', text: 'unreached' },
    ]);
    expect(result.ok).toBe(false);
    expect(result.failure?.stepIndex).toBe(0);
    expect(result.failure?.message).toContain('"something never said"');
    expect(result.failure?.message).toContain('hello, how can i help?');
    expect(result.end.endedBy).toBe('caller');
  });

  it('checks silence', async () => {
    const { result } = await call([
      { type: 'waitFor', agentSaid: 'how can I help' },
      { type: 'expectSilence', ms: 500 },
      { type: 'say', text: 'hi' },
      { type: 'expectSilence', ms: 2000 },
    ]);
    expect(result.failure?.stepIndex).toBe(3);
    expect(result.failure?.message).toContain('expectSilence');
  });
});
