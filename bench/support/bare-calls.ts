import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { llm, voice } from '@livekit/agents';
import {
  lineFromSession,
  MediaStreamSession,
  newTwilioSid,
  runCallerOnLine,
  SANDBOX_PACES,
  type Scenario,
  startSandbox,
  type TranscriptEntry,
} from '@switchboard/sandbox';
import { pino } from 'pino';
import { WebSocketServer } from 'ws';
import { applyDraftPatch, DEFAULT_DRAFT } from '../../src/control/agents/agent-config.js';
import type { CallAgentConfig } from '../../src/runtime/call-context.js';
import { dropUnreadVadBranch } from '../../src/runtime/engine/agents-workarounds.js';
import { installAgentsLogger } from '../../src/runtime/providers/agents-logger.js';
import { buildProviders } from '../../src/runtime/providers/build-providers.js';
import { acceptMediaStream } from '../../src/telephony/accept-media-stream.js';
import { TwilioMediaStreamIO } from '../../src/telephony/twilio-media-stream-io.js';

/**
 * The capacity bench's baseline, run as its own process (`node --import tsx`, IPC): a bare
 * `voice.AgentSession` per call over the same in-process emulators, transport (Media Streams) and
 * providers the platform uses, with the demo agent's settings, and nothing else: no HTTP API, no
 * webhook or admission, no database, recorder, recording, gateway, metrics or post-call analysis.
 * Tools post straight to the scenario's n8n workflow. What the platform's own calls cost beyond this
 * loop is the platform's share.
 *
 * Messages: `{ id, calls: n, scenario }` places n calls at once and answers `{ id, results }`.
 */
export interface BareCallResult {
  ok: boolean;
  failure?: string;
  transcript: TranscriptEntry[];
  line: { frames: number; maxLateMs: number };
}

/** The demo agent's settings (seed-demo.ts): the defaults with its greeting and voice; tools below. */
const { toolIds: _toolIds, ...demo } = applyDraftPatch(DEFAULT_DRAFT, {
  systemPrompt: 'You are the friendly receptionist of Acme Dental.',
  greeting: 'Hi, this is Acme Dental. How can I help you today?',
  voice: { model: 'mistv2', speaker: 'cove' },
});
const config: CallAgentConfig = { ...demo, tools: [] };
/** The engine's own end-of-speech delay (DEFAULT_ENGINE_TIMING.endpointingDelayMs). */
const ENDPOINTING_DELAY_MS = 100;

installAgentsLogger(pino({ level: 'silent' }));
const sandbox = await startSandbox({ host: '127.0.0.1', pace: SANDBOX_PACES.human });
const providers = {
  deepgram: { apiKey: undefined, url: sandbox.deepgram.wsUrl },
  openai: { apiKey: undefined, baseUrl: `${sandbox.openai.url}/v1` },
  rime: { apiKey: undefined, url: sandbox.rime.url, wsUrl: sandbox.rime.wsUrl, transport: 'http' as const },
  sandboxKeys: true,
};

function tools(key: string): llm.ToolContextEntry[] {
  return [
    llm.tool({
      name: 'book_appointment',
      description: 'Books an appointment and returns the day, time and confirmation number.',
      parameters: {
        type: 'object',
        properties: { service: { type: 'string' }, date: { type: 'string' }, time: { type: 'string' } },
        required: ['service', 'date', 'time'],
      } as never,
      execute: async (args: unknown) => {
        const webhook = sandbox.appliedScenario(key)?.webhooks.find((w) => w.tool === 'book_appointment');
        const res = await fetch(webhook!.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(args),
        });
        // What the gateway hands the model for a successful call: the workflow's answer.
        return await res.json();
      },
    }),
    llm.tool({
      name: 'set_outcome',
      description: 'Record how the call turned out.',
      parameters: {
        type: 'object',
        properties: { label: { type: 'string' } },
        required: ['label'],
      } as never,
      execute: async () => 'Outcome recorded.',
    }),
  ];
}

/** One call on the agent side: the bare session on the socket until the caller hangs up. */
async function answer(ws: import('ws').WebSocket): Promise<void> {
  const start = await acceptMediaStream(ws);
  const io = new TwilioMediaStreamIO(ws, start);
  const key = `test-${start.callSid}`;
  const session = new voice.AgentSession({
    ...buildProviders(providers, { deepgram: key, openai: key, rime: key }, config, io.sampleRate),
    vad: null,
    turnHandling: {
      turnDetection: 'stt',
      endpointing: { mode: 'fixed', minDelay: ENDPOINTING_DELAY_MS },
      interruption: { enabled: true },
      preemptiveGeneration: { enabled: false },
    },
    aecWarmupDuration: null,
    userAwayTimeout: null,
  });
  session.input.audio = io.audioInput;
  session.output.audio = io.audioOutput;
  await session.start({ agent: new voice.Agent({ instructions: config.systemPrompt, tools: tools(key) }) });
  dropUnreadVadBranch(session);
  session.say(config.greeting);
  await io.ended;
  io.release();
  await session.close().catch(() => {});
}

const wss = new WebSocketServer({ noServer: true });
const server = createServer((_req, res) => res.writeHead(404).end());
server.on('upgrade', (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) => void answer(ws).catch(() => ws.terminate())),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const streamUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/media`;

async function placeCall(scenario: Scenario): Promise<BareCallResult> {
  const callSid = newTwilioSid('CA');
  const key = `test-${callSid}`;
  sandbox.applyScenario(key, scenario);
  try {
    const session = await MediaStreamSession.connect({
      url: streamUrl,
      accountSid: sandbox.twilio.accountSid,
      authToken: sandbox.twilio.authToken,
      callSid,
    });
    const caller = await runCallerOnLine(lineFromSession(session), scenario.caller, {
      pace: sandbox.pace.speech,
    });
    return {
      ok: caller.ok,
      failure: caller.failure ? JSON.stringify(caller.failure) : undefined,
      transcript: caller.transcript,
      line: { frames: session.stats.framesSent, maxLateMs: session.stats.maxFrameLateMs },
    };
  } finally {
    sandbox.removeScenario(key);
  }
}

process.on('message', (message: { id: number; calls: number; scenario: Scenario }) => {
  const { id } = message;
  void Promise.all(Array.from({ length: message.calls }, () => placeCall(message.scenario))).then(
    (results) => process.send!({ id, results }),
    (err: unknown) => process.send!({ id, error: String(err) }),
  );
});
process.on('disconnect', () => {
  server.close();
  void sandbox.close().finally(() => process.exit(0));
});
process.send!({ ready: true });
