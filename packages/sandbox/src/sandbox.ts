import { type CallerEvent, type CallerResult, runCaller } from './caller/run-caller.js';
import { type DeepgramEmulator, startDeepgramEmulator } from './deepgram/index.js';
import { type N8nEmulator, startN8nEmulator } from './n8n/index.js';
import { type OpenAIEmulator, startOpenAIEmulator } from './openai/index.js';
import { type RimeEmulator, startRimeEmulator } from './rime/index.js';
import { checkScenarioExpectations, type ObservedCall } from './scenarios/check-expectations.js';
import { SANDBOX_PACES, type SandboxPace } from './scenarios/sandbox-pace.js';
import type { Scenario } from './scenarios/scenario.js';
import type { EmulatedCall } from './twilio/call.js';
import { startTwilioEmulator, type TwilioEmulator, type TwilioEmulatorOptions } from './twilio/emulator.js';
import { newTwilioSid } from './twilio/ids.js';

export interface SandboxOptions {
  /** Loopback by default; every emulator gets its own free port. */
  host?: string;
  twilio?: Omit<TwilioEmulatorOptions, 'host' | 'port'>;
  /** Fixed ports (0 = any free port, the default), e.g. for a demo whose stored URLs must stay valid. */
  ports?: Partial<Record<'twilio' | 'deepgram' | 'openai' | 'rime' | 'n8n', number>>;
  /** Speech pace and provider latencies; `fast` (the tests' pace) by default. */
  pace?: SandboxPace;
}

export interface ScenarioWebhook {
  /** The LLM tool bound to the workflow, when the scenario names one. */
  tool: string | undefined;
  /** The workflow path as the scenario writes it. */
  path: string;
  method: string;
  /** Where the agent's tool must send its request (the path is namespaced by the key). */
  url: string;
  workflowId: string;
}

export interface AppliedScenario {
  key: string;
  scenario: Scenario;
  webhooks: ScenarioWebhook[];
}

export interface ScenarioCallOptions {
  /** The number called: a number configured on the Twilio emulator (its Voice URL is used). */
  to?: string;
  /** Or the voice webhook to call directly. */
  voiceUrl?: string;
  /** The API key the call's providers use; `test-<CallSid>` by default. */
  key?: string;
  speed?: number;
  onEvent?: (event: CallerEvent) => void;
}

export interface ScenarioCallResult {
  key: string;
  call: EmulatedCall;
  caller: CallerResult;
  observed: ObservedCall;
  /** Unmet `expect` entries; empty when the call went as the scenario expects. */
  problems: string[];
  /**
   * Media frames the emulated line sent more than a frame late (this process could not keep
   * real-time pace); 0 for a call whose stream never opened.
   */
  lateFrames: number;
}

export interface Sandbox {
  twilio: TwilioEmulator;
  deepgram: DeepgramEmulator;
  openai: OpenAIEmulator;
  rime: RimeEmulator;
  n8n: N8nEmulator;
  /** The pace its emulators and simulated callers run at. */
  pace: SandboxPace;
  /**
   * Installs a scenario's LLM script, provider faults and n8n workflows under one API key, so that a
   * call whose providers use that key plays this scenario. Applying a key again replaces it.
   */
  applyScenario(key: string, scenario: Scenario): AppliedScenario;
  removeScenario(key: string): void;
  /** The scenario applied under a key (its webhook URLs tell an agent where its tools are). */
  appliedScenario(key: string): AppliedScenario | undefined;
  /** What the emulators saw for a key: the LLM's tool calls and the n8n webhook calls. */
  observe(key: string, caller: CallerResult): ObservedCall;
  /** Applies the scenario under a fresh key, places the call, plays the caller, checks `expect`. */
  runScenarioCall(scenario: Scenario, options?: ScenarioCallOptions): Promise<ScenarioCallResult>;
  close(): Promise<void>;
}

const KEY_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Starts the five emulators, each on its own port of `host`. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const ports = options.ports ?? {};
  const pace = options.pace ?? SANDBOX_PACES.fast;
  const [twilio, deepgram, openai, rime, n8n] = await Promise.all([
    startTwilioEmulator({ ...options.twilio, host, port: ports.twilio ?? 0 }),
    startDeepgramEmulator({ host, port: ports.deepgram ?? 0, resultDelayMs: pace.sttResultDelayMs }),
    startOpenAIEmulator({ host, port: ports.openai ?? 0, latency: pace.llm }),
    startRimeEmulator({
      host,
      port: ports.rime ?? 0,
      pace: pace.speech,
      firstAudioDelayMs: pace.ttsFirstAudioMs,
    }),
    startN8nEmulator({ host, port: ports.n8n ?? 0 }),
  ]);
  const applied = new Map<string, AppliedScenario>();

  const removeScenario = (key: string): void => {
    const previous = applied.get(key);
    if (!previous) return;
    for (const webhook of previous.webhooks) n8n.deactivate(webhook.workflowId);
    openai.removeKey(key);
    deepgram.removeKey(key);
    rime.removeKey(key);
    applied.delete(key);
  };

  const applyScenario = (key: string, scenario: Scenario): AppliedScenario => {
    if (!KEY_PATTERN.test(key)) throw new Error(`sandbox key must match ${KEY_PATTERN}: ${key}`);
    removeScenario(key);
    openai.setScript(key, { ...scenario.llm, faults: { ...scenario.llm.faults, ...scenario.faults?.llm } });
    deepgram.setFaults(key, scenario.faults?.deepgram ?? {});
    rime.setFaults(key, scenario.faults?.rime ?? {});
    const webhooks = (scenario.n8n?.workflows ?? []).map(({ tool, ...spec }): ScenarioWebhook => {
      const installed = n8n.installWorkflow({
        ...spec,
        name: `${key} ${spec.name ?? spec.path}`,
        path: `${key}/${spec.path.replace(/^\/+/, '')}`,
      });
      return {
        tool,
        path: spec.path,
        method: spec.method,
        url: installed.webhookUrl,
        workflowId: installed.id,
      };
    });
    const result = { key, scenario, webhooks };
    applied.set(key, result);
    return result;
  };

  const observe = (key: string, caller: CallerResult): ObservedCall => {
    const toolCalls = openai.requests(key).flatMap((r) => r.reply?.toolCalls.map((t) => t.name) ?? []);
    const n8nCalls: Record<string, number> = {};
    for (const webhook of applied.get(key)?.webhooks ?? []) {
      n8nCalls[webhook.path] = n8n.webhookCalls({ workflowId: webhook.workflowId }).length;
    }
    return { caller, toolCalls, n8nCalls };
  };

  return {
    twilio,
    deepgram,
    openai,
    rime,
    n8n,
    pace,
    applyScenario,
    removeScenario,
    appliedScenario: (key) => applied.get(key),
    observe,
    async runScenarioCall(scenario, callOptions = {}) {
      const callSid = newTwilioSid('CA');
      const key = callOptions.key ?? `test-${callSid}`;
      applyScenario(key, scenario);
      const to = callOptions.to ?? scenario.caller.to ?? twilio.numbers[0]?.phoneNumber;
      if (!to && !callOptions.voiceUrl) throw new Error('runScenarioCall needs `to` or `voiceUrl`');
      const call = await twilio.placeCall({
        callSid,
        from: scenario.caller.from,
        to: to ?? '+15005550006',
        voiceUrl: callOptions.voiceUrl,
        speed: callOptions.speed,
      });
      const caller = await runCaller(call, scenario.caller, {
        onEvent: callOptions.onEvent,
        pace: pace.speech,
      });
      const observed = observe(key, caller);
      return {
        key,
        call,
        caller,
        observed,
        problems: checkScenarioExpectations(scenario.expect, observed),
        lateFrames: call.stream?.stats.lateFrames ?? 0,
      };
    },
    async close() {
      await twilio.close();
      await Promise.all([deepgram.close(), openai.close(), rime.close(), n8n.close()]);
    },
  };
}
