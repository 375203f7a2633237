import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeSpeechText } from '../audio/index.js';
import { type DeepgramEmulator, startDeepgramEmulator } from '../deepgram/index.js';
import { type RimeEmulator, startRimeEmulator } from '../rime/index.js';
import { startTwilioEmulator, type TwilioEmulator } from '../twilio/emulator.js';
import { startStreamServer } from '../twilio/stream-server.test-support.js';
import { runRelayAgent } from './relay-agent.test-support.js';
import { runCaller } from './run-caller.js';

const NUMBER = '+14155550100';
const reply = (transcript: string) => `Got it: ${transcript}`;

/** Caller speech → Twilio emulator → Deepgram emulator; Rime emulator → Twilio playout → caller. */
describe('round trip through the emulators', () => {
  let twilio: TwilioEmulator;
  let deepgram: DeepgramEmulator;
  let rime: RimeEmulator;
  let app: Awaited<ReturnType<typeof startStreamServer>>;
  type Agent = ReturnType<typeof runRelayAgent>;
  const agentWaiters = new Map<string, (agent: Agent) => void>();

  beforeAll(async () => {
    deepgram = await startDeepgramEmulator({ acceptAnyKey: true });
    rime = await startRimeEmulator({ acceptAnyKey: true });
    app = await startStreamServer({
      onSocket: (socket) => {
        const agent: Agent = runRelayAgent(socket.ws, {
          deepgramWsUrl: deepgram.wsUrl,
          rimeUrl: rime.url,
          reply,
          onStart: (key) => agentWaiters.get(key)?.(agent),
        });
      },
      request: (req, res) => {
        const key = new URL(req.url ?? '/', 'http://x').searchParams.get('key') ?? '';
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<Response><Connect><Stream url="${app.url}"><Parameter name="key" value="${key}"/></Stream></Connect></Response>`,
        );
      },
    });
    twilio = await startTwilioEmulator({ numbers: [{ phoneNumber: NUMBER }] });
  });
  afterAll(async () => {
    await twilio.close();
    await app.close();
    await Promise.all([deepgram.close(), rime.close()]);
  });

  /** One call: the caller says each sentence and waits for the agent to repeat it back. */
  async function converse(key: string, sentences: string[], speed: number) {
    const agentReady = new Promise<Agent>((resolve) => agentWaiters.set(key, resolve));
    const call = await twilio.placeCall({
      from: '+14155550123',
      to: NUMBER,
      voiceUrl: `${app.server.url}/voice?key=${key}`,
      speed,
    });
    const agent = await agentReady;
    const steps = sentences.flatMap((text) => [
      { type: 'say' as const, text },
      { type: 'waitFor' as const, agentSaid: reply(text), timeoutMs: 30_000 },
    ]);
    const result = await runCaller(call, { steps: [{ type: 'pause', ms: 200 }, ...steps] });
    await agent.done;
    return { result, heard: agent.heard };
  }

  function expectExact(sentences: string[], outcome: Awaited<ReturnType<typeof converse>>) {
    const spoken = sentences.map(normalizeSpeechText);
    expect(outcome.result.failure).toBeUndefined();
    expect(outcome.heard).toEqual(spoken);
    expect(outcome.result.transcript.map((e) => [e.speaker, e.text])).toEqual(
      spoken.flatMap((s) => [
        ['caller', s],
        ['agent', normalizeSpeechText(reply(s))],
      ]),
    );
    expect(outcome.result.transcript.some((e) => e.interrupted)).toBe(false);
  }

  it('carries every word both ways, exactly', async () => {
    const sentences = [
      "Hi, I'd like to book a table for 2 at 7:30, please.",
      'My number is +1 (415) 555-0199 & my e-mail is jo@example.com!',
    ];
    expectExact(sentences, await converse('rt-single', sentences, 2));
  });

  it('carries 50 concurrent conversations faster than real time without losing a word', async () => {
    const calls = Array.from({ length: 50 }, (_, i) => {
      const sentences = [
        `Caller ${i} checking in.`,
        `Order ${1000 + i * 7} is late, call me back at ${i}:15.`,
      ];
      return { key: `rt-${i}`, sentences };
    });
    const outcomes = await Promise.all(calls.map((c) => converse(c.key, c.sentences, 4)));
    for (const [i, outcome] of outcomes.entries()) expectExact(calls[i]!.sentences, outcome);
    for (const c of calls) expect(deepgram.connections(c.key)).toHaveLength(1);
  }, 60_000);
});
