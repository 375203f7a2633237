import {
  type CallerResult,
  lineFromSession,
  MediaStreamSession,
  newTwilioSid,
  parseScenario,
  runCaller,
  runCallerOnLine,
  SANDBOX_PACES,
  startSandbox,
  type TranscriptEntry,
} from '@switchboard/sandbox';
import { externalSandboxEnv } from '../../src/platform/sandbox-mode.js';
import { serveIpc } from './ipc-child.js';

/**
 * The calls bench's far end, in a process of its own, as Twilio, the providers and the callers are
 * other machines in production: the sandbox's emulators (Twilio, Deepgram, OpenAI, Rime, n8n) and
 * the simulated callers. Whatever answers the calls (the platform's server processes, or the bare
 * sessions of the baseline) reaches the emulators by URL, as it would reach the real providers.
 *
 * Requests: `{ line }` registers a number on the emulated Twilio; `{ dial }` places one call, through
 * the number's webhook (the platform) or straight onto a Media Streams URL (the bare sessions), and
 * answers what the caller heard once it hung up.
 */
export interface LoadReady {
  /** The settings that point a server at these emulators (SANDBOX=off, keys `test-<CallSid>`). */
  env: Record<string, string>;
  n8nUrl: string;
  /** The scenario's booking workflow, installed once (a bare session's tool posts here). */
  bookingUrl: string;
}

export type LoadRequest =
  | { line: { number: string; voiceUrl: string; statusUrl: string } }
  | { dial: { to: { number: string; from: string } | { mediaUrl: string } } };

export interface LoadCallResult {
  callSid: string;
  /** False when the webhook refused the call (no `<Connect>`). */
  connected: boolean;
  ok: boolean;
  failure?: string;
  transcript: TranscriptEntry[];
  agentAudioGaps: CallerResult['agentAudioGaps'];
  /** This process's own worst timer stall on the call's line clock (load-generator health). */
  lineLateMs: number;
}

/** Every call plays this scenario (`BENCH_LOAD_SCENARIO`: its JSON). */
const parsed = parseScenario(JSON.parse(process.env.BENCH_LOAD_SCENARIO ?? 'null'));
if (!parsed.ok) throw new Error(`BENCH_LOAD_SCENARIO: ${JSON.stringify(parsed.issues)}`);
const { scenario } = parsed;
const sandbox = await startSandbox({ host: '127.0.0.1', pace: SANDBOX_PACES.human });
const installed = (scenario.n8n?.workflows ?? []).map(({ tool: _tool, ...spec }) =>
  sandbox.n8n.installWorkflow({ ...spec, name: spec.name ?? spec.path }),
);

async function dial(request: Extract<LoadRequest, { dial: unknown }>['dial']): Promise<LoadCallResult> {
  const callSid = newTwilioSid('CA');
  const key = `test-${callSid}`;
  sandbox.applyScenario(key, { ...scenario, n8n: undefined });
  const pace = { pace: sandbox.pace.speech };
  try {
    if ('mediaUrl' in request.to) {
      const session = await MediaStreamSession.connect({
        url: request.to.mediaUrl,
        accountSid: sandbox.twilio.accountSid,
        authToken: sandbox.twilio.authToken,
        callSid,
      });
      const caller = await runCallerOnLine(lineFromSession(session), scenario.caller, pace);
      return result(callSid, true, caller, session.stats.maxFrameLateMs);
    }
    const call = await sandbox.twilio.placeCall({
      callSid,
      from: request.to.from,
      to: request.to.number,
      speed: 1,
    });
    if (!call.twiml?.some((verb) => verb.verb === 'Connect')) {
      await call.hangup();
      return { ...result(callSid, false, undefined, 0), failure: 'refused at the webhook' };
    }
    const caller = await runCaller(call, scenario.caller, pace);
    await call.ended;
    return result(callSid, true, caller, call.stream?.stats.maxFrameLateMs ?? 0);
  } finally {
    sandbox.removeScenario(key);
  }
}

function result(
  callSid: string,
  connected: boolean,
  caller: CallerResult | undefined,
  lineLateMs: number,
): LoadCallResult {
  return {
    callSid,
    connected,
    ok: caller?.ok ?? false,
    failure: caller?.failure ? caller.failure.message : undefined,
    transcript: caller?.transcript ?? [],
    agentAudioGaps: caller?.agentAudioGaps ?? { count: 0, longestMs: 0 },
    lineLateMs,
  };
}

serveIpc<LoadReady, LoadRequest, LoadCallResult | null>(
  {
    env: externalSandboxEnv(sandbox),
    n8nUrl: sandbox.n8n.url,
    bookingUrl: installed[0]?.webhookUrl ?? '',
  },
  async (request) => {
    if ('line' in request) {
      sandbox.twilio.addNumber({
        phoneNumber: request.line.number,
        voiceUrl: request.line.voiceUrl,
        statusCallback: request.line.statusUrl,
      });
      return null;
    }
    return dial(request.dial);
  },
  () => sandbox.close(),
);
