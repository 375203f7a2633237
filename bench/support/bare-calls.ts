import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { llm, voice } from '@livekit/agents';
import { pino } from 'pino';
import { WebSocketServer } from 'ws';
import { applyDraftPatch, DEFAULT_DRAFT } from '../../src/control/agents/agent-config.js';
import { demoBookingTool } from '../../src/control/seed-demo.js';
import type { CallAgentConfig } from '../../src/runtime/call-context.js';
import { dropUnreadVadBranch } from '../../src/runtime/engine/agents-workarounds.js';
import { installAgentsLogger } from '../../src/runtime/providers/agents-logger.js';
import { buildProviders } from '../../src/runtime/providers/build-providers.js';
import { acceptMediaStream } from '../../src/telephony/accept-media-stream.js';
import { TwilioMediaStreamIO } from '../../src/telephony/twilio-media-stream-io.js';
import { serveIpc } from './ipc-child.js';

/**
 * The capacity bench's baseline, run as its own process: a bare `voice.AgentSession` per call on a
 * Media Streams socket, with the transport and providers the platform uses and the demo agent's
 * settings, and nothing else: no HTTP API, no webhook or admission, no database, recorder,
 * recording, gateway, metrics or post-call analysis. The callers and the emulators are the load
 * process's (call-load.ts), reached by the URLs in the environment (`DEEPGRAM_URL`, …, and
 * `BARE_BOOKING_URL` for the booking tool). What the platform's own calls cost beyond this loop is
 * the platform's share. `BARE_PROCESSES` (default 1) runs that many processes on one port
 * (node:cluster), as the platform's `PROCESSES`. Ready: `{ mediaUrl }`.
 */
export interface BareReady {
  mediaUrl: string;
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

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
installAgentsLogger(pino({ level: 'silent' }));
const providers = {
  deepgram: { apiKey: undefined, url: env('DEEPGRAM_URL') },
  openai: { apiKey: undefined, baseUrl: env('OPENAI_BASE_URL') },
  rime: { apiKey: undefined, url: env('RIME_URL'), wsUrl: env('RIME_WS_URL'), transport: 'http' as const },
  sandboxKeys: true,
};
const bookingUrl = env('BARE_BOOKING_URL');

/** The demo's booking tool as the platform declares it; its workflow answers at `bookingUrl`. */
const booking = demoBookingTool('');

function tools(): llm.ToolContextEntry[] {
  return [
    llm.tool({
      name: booking.name,
      description: booking.description,
      parameters: booking.inputSchema as never,
      execute: async (args: unknown) => {
        const res = await fetch(bookingUrl, {
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
      interruption: { enabled: true, resumeFalseInterruption: false },
      preemptiveGeneration: { enabled: false },
    },
    aecWarmupDuration: null,
    userAwayTimeout: null,
  });
  session.input.audio = io.audioInput;
  session.output.audio = io.audioOutput;
  await session.start({ agent: new voice.Agent({ instructions: config.systemPrompt, tools: tools() }) });
  dropUnreadVadBranch(session);
  session.say(config.greeting);
  await io.ended;
  io.release();
  await session.close().catch(() => {});
}

const processes = Number(process.env.BARE_PROCESSES ?? 1);
const port = Number(process.env.BARE_PORT ?? 0);
if (processes > 1 && cluster.isPrimary) {
  // The primary only hands connections to the sessions' processes.
  const { freePort } = await import('../../test/faults/free-port.js');
  const shared = await freePort();
  const workers = Array.from({ length: processes }, () => cluster.fork({ BARE_PORT: String(shared) }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('listening', resolve))));
  serveIpc<BareReady, never, never>(
    { mediaUrl: `ws://127.0.0.1:${shared}/media` },
    () => Promise.reject(new Error('the bare process takes no requests')),
    async () => {
      for (const w of workers) w.kill();
    },
  );
} else {
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => void answer(ws).catch(() => ws.terminate())),
  );
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  if (cluster.isPrimary)
    serveIpc<BareReady, never, never>(
      { mediaUrl: `ws://127.0.0.1:${(server.address() as { port: number }).port}/media` },
      () => Promise.reject(new Error('the bare process takes no requests')),
      async () => {
        server.close();
      },
    );
}
