import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  lineFromSession,
  loadScenario,
  MediaStreamSession,
  newTwilioSid,
  runCallerOnLine,
  type Sandbox,
  Scenario,
  startSandbox,
} from '@switchboard/sandbox';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { callConfigFromDraft } from '../../../test/support/call-config.js';
import { expectSameTurns } from '../../../test/support/transcripts.js';
import type { ExecuteToolRequest, ToolOutcome } from '../../gateway/index.js';
import { acceptMediaStream } from '../../telephony/accept-media-stream.js';
import { TwilioMediaStreamIO } from '../../telephony/twilio-media-stream-io.js';
import type { CallAgentConfig, CallContext } from '../call-context.js';
import { installAgentsLogger } from '../providers/agents-logger.js';
import { MemoryCallRecorder } from '../recorder/memory-recorder.js';
import { type CallOutcome, runCall } from './run-call.js';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let sandbox: Sandbox;
let wss: WebSocketServer;
let streamUrl: string;
let closeServer: () => Promise<void>;
const calls = new Map<string, { recorder: MemoryCallRecorder; outcome: Promise<CallOutcome> }>();
const toolRequests: ExecuteToolRequest[] = [];
/** Sees each call's transport before the engine runs on it. */
let onIo: ((io: TwilioMediaStreamIO) => void) | undefined;

const baseConfig = callConfigFromDraft({
  systemPrompt: 'You are the receptionist of Acme Dental.',
  greeting: '',
  voice: { model: 'mistv2', speaker: 'cove' },
  stt: { endpointingMs: 200 },
  llm: { temperature: 0.2, maxTokens: 200 },
  limits: { maxDurationS: 120, silenceTimeoutS: 30 },
  fallbackPhrases: { toolSlow: 'One moment please.' },
});
let config = baseConfig;

const bookAppointmentTool: CallAgentConfig['tools'][number] = {
  id: 'tool_01jbook000000000000000000000',
  name: 'book_appointment',
  description: 'Books an appointment.',
  inputSchema: {
    type: 'object',
    properties: { service: { type: 'string' }, date: { type: 'string' }, time: { type: 'string' } },
    required: ['service', 'date', 'time'],
  },
  outputSchema: null,
  connectionId: 'n8n_test',
  webhookPath: 'book-appointment',
  workflowId: null,
  timeoutMs: 5000,
  retry: { maxAttempts: 1, backoffMs: 100 },
  idempotent: false,
};

const SLOW_TOOL_SILENCE_S = 1;
const slowLookupTool: CallAgentConfig['tools'][number] = {
  ...bookAppointmentTool,
  id: 'tool_01jslow000000000000000000000',
  name: 'check_order_status',
  description: 'Looks up an order.',
  inputSchema: { type: 'object', properties: { order: { type: 'string' } } },
  webhookPath: 'order-status',
};

/** Posts the tool call to the scenario's n8n webhook: a stand-in for the gateway in this test. */
async function webhookExecutor(request: ExecuteToolRequest): Promise<ToolOutcome> {
  toolRequests.push(request);
  if (request.tool.name === slowLookupTool.name) {
    // A slow backend: the tool answers after three silence limits.
    await new Promise((resolve) => setTimeout(resolve, 3 * SLOW_TOOL_SILENCE_S * 1000));
    const result = { status: 'shipped' };
    return { ok: true, status: 'succeeded', result, executionId: 'tex_slow', attempts: 1, durationMs: 1 };
  }
  const key = `test-${request.context?.callId}`;
  const webhook = sandbox.appliedScenario(key)?.webhooks.find((w) => w.tool === request.tool.name);
  const res = await fetch(webhook!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request.arguments),
  });
  return {
    ok: true,
    status: 'succeeded',
    result: await res.json(),
    executionId: 'tex_test',
    attempts: 1,
    durationMs: 1,
  };
}

beforeAll(async () => {
  installAgentsLogger(log);
  sandbox = await startSandbox();
  wss = new WebSocketServer({ noServer: true });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, async (ws) => {
      const start = await acceptMediaStream(ws);
      const io = new TwilioMediaStreamIO(ws, start);
      onIo?.(io);
      const recorder = new MemoryCallRecorder();
      const ctx: CallContext = {
        callId: start.callSid,
        tenantId: 'tnt_test',
        agentId: null,
        agentVersionId: null,
        from: null,
        to: null,
        twilioCallSid: start.callSid,
        config,
      };
      const outcome = runCall(ctx, io, {
        log,
        providers: {
          deepgram: { apiKey: undefined, url: sandbox.deepgram.wsUrl },
          openai: { apiKey: undefined, baseUrl: `${sandbox.openai.url}/v1` },
          rime: { apiKey: undefined, url: sandbox.rime.url, wsUrl: sandbox.rime.wsUrl, transport: 'http' },
          sandboxKeys: true,
        },
        executeTool: webhookExecutor,
        recorder,
      });
      calls.set(start.callSid, { recorder, outcome });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  streamUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/media`;
  closeServer = () => new Promise((resolve) => server.close(() => resolve()));
});

afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await closeServer();
  await sandbox.close();
});

async function playScenario(nameOrScenario: string | Scenario, speed = 4) {
  const scenario = typeof nameOrScenario === 'string' ? await loadScenario(nameOrScenario) : nameOrScenario;
  const callSid = newTwilioSid('CA');
  sandbox.applyScenario(`test-${callSid}`, scenario);
  const session = await MediaStreamSession.connect({
    url: streamUrl,
    accountSid: newTwilioSid('AC'),
    authToken: 'x',
    callSid,
    speed,
  });
  const caller = await runCallerOnLine(lineFromSession(session), scenario.caller);
  const call = calls.get(callSid)!;
  const outcome = await call.outcome;
  return { caller, outcome, recorder: call.recorder, callSid };
}

describe('runCall over a Media Streams socket', () => {
  it('greets and answers: greeting-only', async () => {
    config = baseConfig;
    const { caller, outcome, recorder } = await playScenario('greeting-only');
    expect(caller.failure).toBeUndefined();
    expect(outcome).toEqual({ status: 'completed', reason: 'caller_hangup' });
    // The caller talks as soon as it has heard the first sentence, over the second one: the
    // greeting is kept only as far as it was heard.
    expect(recorder.utterances.map((u) => u.speaker)).toEqual(['agent', 'caller', 'agent']);
    expect(recorder.utterances[0]!.text).toMatch(/^Hi, thanks for calling Acme Dental\./);
    expect(recorder.utterances[1]!.text).toBe("that's all, goodbye.");
    expect(recorder.utterances[2]!.text).toBe('Goodbye, have a nice day.');
    expect(recorder.utterances.map((u) => u.interrupted)).toEqual([true, false, false]);
    expectSameTurns(recorder.utterances, caller.transcript);
    // The answer's latency counts from the caller's last audio frame, stage by stage in order.
    const latency = recorder.utterances[2]!.latency!;
    const stages = latency.stages!;
    const order = [
      stages.callerAudioEndMs,
      stages.sttFinalMs,
      stages.llmFirstTokenMs,
      stages.ttsFirstAudioMs,
      stages.agentAudioStartMs,
    ];
    expect(order.every((at) => typeof at === 'number')).toBe(true);
    expect([...(order as number[])].sort((a, b) => a - b)).toEqual(order);
    expect(latency.totalMs).toBe(stages.agentAudioStartMs! - stages.callerAudioEndMs!);
    // The caller's audio ended before the STT's end-of-speech signal closed their turn.
    expect(stages.callerAudioEndMs!).toBeLessThan(recorder.utterances[1]!.endMs);
    expect(recorder.usageEntries.map((u) => u.provider).sort()).toEqual(
      expect.arrayContaining(['deepgram', 'openai', 'rime']),
    );
  });

  it('runs a tool and reads back its result: book-appointment', async () => {
    config = { ...baseConfig, tools: [bookAppointmentTool] };
    const { caller, outcome, recorder, callSid } = await playScenario('book-appointment');
    expect(caller.failure).toBeUndefined();
    expect(outcome).toEqual({ status: 'completed', reason: 'caller_hangup' });
    const request = toolRequests.find((r) => r.context?.callId === callSid);
    expect(request?.arguments).toEqual({ service: 'cleaning', date: '2030-05-14', time: '10:30' });
    expect(request?.context?.turn).toBe(1);
    const agentSaid = recorder.utterances.filter((u) => u.speaker === 'agent').map((u) => u.text);
    expect(agentSaid).toContain(
      "You're booked. status: booked, day: Tuesday, May 14, time: 10:30 am, confirmation: AB12. Is there anything else?",
    );
    expect(recorder.events.map((e) => e.type)).toContain('tool_called');
    expectSameTurns(recorder.utterances, caller.transcript);
  });

  it('stops talking when the caller barges in and keeps only what was heard: barge-in', async () => {
    config = baseConfig;
    const { caller, outcome, recorder } = await playScenario('barge-in');
    expect(caller.failure).toBeUndefined();
    expect(outcome.status).toBe('completed');
    expect(caller.clears.length).toBeGreaterThanOrEqual(1);
    const long = recorder.utterances.find((u) => u.text.startsWith('We are open'));
    expect(long?.interrupted).toBe(true);
    expect(long!.text.length).toBeLessThan(120);
    expectSameTurns(recorder.utterances, caller.transcript);
  });

  it('ends cleanly when the caller hangs up mid-answer: caller-hangs-up-mid-answer', async () => {
    config = baseConfig;
    const { caller, outcome, recorder } = await playScenario('caller-hangs-up-mid-answer');
    expect(caller.failure).toBeUndefined();
    expect(outcome).toEqual({ status: 'completed', reason: 'caller_hangup' });
    const last = recorder.utterances.at(-1)!;
    expect(last.speaker).toBe('agent');
    expect(last.interrupted).toBe(true);
    expect('We accept most major insurance plans'.startsWith(last.text.slice(0, 10))).toBe(true);
    expectSameTurns(recorder.utterances, caller.transcript);
  });
});

describe('runCall over a long call', () => {
  it('holds no caller frame once it has gone to the STT, however long the call (memory flat while a call runs)', async () => {
    config = { ...baseConfig, limits: { maxDurationS: 600, silenceTimeoutS: 600 } };
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // The first OLD caller frames are watched; when frame CHECK_AT arrives (the call still running,
    // OLD frames of line time later), those still alive after a full collection are held by the call.
    const OLD = 1000;
    const CHECK_AT = 1500;
    const alive = new Set<number>();
    const frames = new FinalizationRegistry<number>((index) => alive.delete(index));
    let heldMidCall: Promise<number> | undefined;
    let pushed = 0;
    onIo = (io) => {
      const push = io.audioInput.push.bind(io.audioInput);
      io.audioInput.push = (pcm) => {
        pushed++;
        if (pushed <= OLD) {
          alive.add(pushed);
          frames.register(pcm, pushed);
        }
        if (pushed === CHECK_AT) {
          heldMidCall = (async () => {
            // Finalization callbacks run as tasks of their own: a timer turn after each collection.
            for (let i = 0; i < 4; i++) {
              gc();
              await new Promise((resolve) => setTimeout(resolve, 10));
            }
            return alive.size;
          })();
        }
        push(pcm);
      };
    };
    const base = await loadScenario('greeting-only');
    // 40 s of line time (2000 frames) in which the caller says nothing.
    const scenario = Scenario.parse({
      ...base,
      caller: {
        steps: [
          // Line time: at speed 10, 100 s of line time is 10 s of wall time.
          { type: 'waitFor', agentSaid: 'how can i help', timeoutMs: 100_000 },
          { type: 'pause', ms: 40_000 },
          { type: 'hangup' },
        ],
      },
    });
    let ended = false;
    try {
      const { caller, outcome } = await playScenario(scenario, 10);
      ended = true;
      expect(caller.failure, JSON.stringify(caller)).toBeUndefined();
      expect(outcome.reason).toBe('caller_hangup');
    } finally {
      onIo = undefined;
    }
    expect(ended).toBe(true);
    expect(pushed).toBeGreaterThan(2000);
    expect(heldMidCall).toBeDefined();
    // Each leak held every frame here: the unread VAD tee branch; a per-frame Promise.race against a
    // promise that settles only when the call ends (the Deepgram stream's, then @livekit/agents'
    // `readStream` forwarding frames to the STT).
    expect(await heldMidCall).toBeLessThan(50);
  });

  it('does not ask whether the caller is still there while a slow tool runs', async () => {
    config = {
      ...baseConfig,
      tools: [slowLookupTool],
      limits: { maxDurationS: 120, silenceTimeoutS: SLOW_TOOL_SILENCE_S },
    };
    const scenario = Scenario.parse({
      name: 'slow-tool',
      description: 'The caller asks for an order; the lookup takes three silence limits.',
      caller: {
        steps: [
          { type: 'waitFor', agentSaid: 'how can i help', timeoutMs: 15_000 },
          { type: 'say', text: 'Where is my order?' },
          { type: 'waitFor', agentSaid: 'has shipped', timeoutMs: 20_000 },
          { type: 'say', text: 'Bye.' },
          { type: 'waitFor', agentSaid: 'goodbye', timeoutMs: 15_000 },
          { type: 'hangup' },
        ],
      },
      llm: {
        rules: [
          { when: { firstTurn: true }, respond: { reply: 'Hi, Acme Shop. How can I help?' } },
          {
            when: { userSays: 'order' },
            respond: { reply: 'Let me look.', toolCall: { name: 'check_order_status', arguments: {} } },
          },
          {
            when: { toolResult: { name: 'check_order_status' } },
            respond: { reply: 'Your order has shipped.' },
          },
          { when: { userSays: 'bye' }, respond: { reply: 'Goodbye.' } },
        ],
      },
    });
    const { caller, outcome, recorder } = await playScenario(scenario);
    expect(caller.failure, JSON.stringify(caller.transcript)).toBeUndefined();
    expect(outcome).toEqual({ status: 'completed', reason: 'caller_hangup' });
    const agentSaid = recorder.utterances.filter((u) => u.speaker === 'agent').map((u) => u.text);
    // The filler played while the tool ran; three silence limits passed with nobody speaking.
    expect(agentSaid).toContain('One moment please.');
    expect(agentSaid).not.toContain('Are you still there?');
    expect(recorder.events.filter((e) => e.type === 'caller_silent')).toEqual([]);
  });
});
