import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CallerResult,
  type EmulatedCall,
  loadScenario,
  newTwilioSid,
  runCaller,
  type Sandbox,
  type Scenario,
  startSandbox,
} from '@switchboard/sandbox';
import { asc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { tables, withTenant } from '../../../src/db/index.js';
import { buildApp } from '../../../src/http/app.js';
import { createSandboxCalls } from '../../../src/platform/sandbox-calls.js';
import { createServices } from '../../../src/platform/services.js';
import {
  createVoiceService,
  type VoiceServiceOverrides,
} from '../../../src/telephony/create-voice-service.js';
import type { VoiceService } from '../../../src/telephony/voice-service.js';
import type { Credentials } from '../../support/app.js';
import { call } from '../../support/app.js';
import { openTestBackend, type TestBackend } from '../../support/backend.js';
import { createWorld, type World } from '../../support/fixtures.js';
import { withLogCapture } from '../../support/log-capture.js';
import { sandboxEnv } from '../../support/sandbox-platform.js';

export const AGENT_NUMBER = '+15005550006';

export interface VoiceWorld {
  backend: TestBackend;
  sandbox: Sandbox;
  voice: VoiceService;
  app: FastifyInstance;
  url: string;
  world: World;
  tenantId: string;
  agentId: string;
  recordingsDir: string;
  /** n8n workflow ids by webhook path (shared by every call). */
  workflows: Record<string, string>;
  close(): Promise<void>;
}

export interface VoiceWorldOptions {
  /** Scenarios whose n8n workflows the agent's tools call. */
  toolScenarios?: string[];
  maxConcurrentCalls?: number;
  overrides?: VoiceServiceOverrides;
  /** The tools' gateway timeout (their default is 10 s). */
  toolTimeoutMs?: number;
  /** More settings for the app (e.g. RIME_TRANSPORT). */
  env?: Record<string, string>;
  /** More published agents, each answering its own number (draft fields over the default agent's). */
  extraAgents?: { e164: string; draft: Record<string, unknown> }[];
  /** The ephemeral store's Redis on the services backend, when not the machine's shared one. */
  redisUrl?: string;
  /** Collects the server's log lines at warn and above (the server's own logger, as in production). */
  warnings?: string[];
}

async function expectOk<T>(
  app: FastifyInstance,
  creds: Credentials,
  method: 'POST' | 'PATCH',
  url: string,
  body?: unknown,
): Promise<T> {
  const res = await call(app, creds, method, url, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json() as T;
}

/**
 * The whole stack on one machine: a database backend, the five sandbox emulators, and the app
 * with its runtime plane listening on a real port; a tenant whose published agent answers
 * AGENT_NUMBER, with the tools of `toolScenarios` bound to their n8n workflows.
 */
export async function startVoiceWorld(options: VoiceWorldOptions = {}): Promise<VoiceWorld> {
  const opened = await openTestBackend({ redisUrl: options.redisUrl });
  const backend = options.warnings ? withLogCapture(opened, 'warn', options.warnings) : opened;
  const sandbox = await startSandbox();
  const recordingsDir = await mkdtemp(join(tmpdir(), 'sb-recordings-'));
  const config = loadConfig({ ...sandboxEnv(sandbox, recordingsDir), ...options.env });
  const services = createServices(config);
  const { outbound, gateway, publicUrl, blobs } = services;
  const voice = createVoiceService(backend.deps, config, services, options.overrides);
  const app = await buildApp(
    { config, database: backend.database, deps: backend.deps, outbound, gateway, publicUrl, blobs },
    { voice, sandboxCalls: createSandboxCalls(backend.deps, sandbox, publicUrl) },
  );
  app.addHook('onClose', () => services.close());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  publicUrl.resolveFromAddress(app.server.address());
  const world = await createWorld(backend, app);
  const admin = world.as.admin;
  const tenantId = world.tenantA;
  const t = `/api/tenants/${tenantId}`;
  await expectOk(app, admin, 'PATCH', t, { maxConcurrentCalls: options.maxConcurrentCalls ?? 30 });

  const workflows: Record<string, string> = {};
  const toolIds: string[] = [];
  const scenarios = await Promise.all((options.toolScenarios ?? []).map((name) => loadScenario(name)));
  if (scenarios.some((s) => s.n8n)) {
    const connection = await expectOk<{ id: string }>(app, admin, 'POST', `${t}/n8n-connections`, {
      name: 'sandbox n8n',
      baseUrl: sandbox.n8n.url,
      apiKey: 'sandbox-api-key',
    });
    for (const scenario of scenarios) {
      for (const { tool, ...spec } of scenario.n8n?.workflows ?? []) {
        const installed = sandbox.n8n.installWorkflow({ ...spec, name: spec.name ?? spec.path });
        workflows[spec.path] = installed.id;
        if (!tool) continue;
        const created = await expectOk<{ id: string }>(app, admin, 'POST', `${t}/tools`, {
          name: tool,
          description: `Runs the ${spec.path} workflow`,
          inputSchema: { type: 'object', properties: {}, additionalProperties: true },
          connectionId: connection.id,
          webhookPath: spec.path,
          ...(options.toolTimeoutMs
            ? { timeoutMs: options.toolTimeoutMs, retry: { maxAttempts: 1, backoffMs: 100 } }
            : {}),
        });
        toolIds.push(created.id);
      }
    }
  }

  const baseDraft = {
    systemPrompt: 'You are the receptionist.',
    greeting: '',
    stt: { model: 'nova-3', endpointingMs: 200 },
    voice: { model: 'mistv2', speaker: 'cove' },
    toolIds,
  };
  const publishAgent = async (name: string, e164: string, draft: Record<string, unknown>) => {
    const agent = await expectOk<{ id: string }>(app, admin, 'POST', `${t}/agents`, { name, draft });
    await expectOk(app, admin, 'POST', `${t}/agents/${agent.id}/versions`, { note: 'e2e' });
    await expectOk(app, admin, 'POST', `${t}/phone-numbers`, { e164, agentId: agent.id });
    sandbox.twilio.addNumber({
      phoneNumber: e164,
      voiceUrl: `${url}/twilio/voice`,
      statusCallback: `${url}/twilio/status`,
    });
    return agent;
  };
  const agent = await publishAgent('Front desk', AGENT_NUMBER, baseDraft);
  for (const [i, extra] of (options.extraAgents ?? []).entries()) {
    await publishAgent(`Agent ${i + 2}`, extra.e164, { ...baseDraft, ...extra.draft });
  }

  return {
    backend,
    sandbox,
    voice,
    app,
    url,
    world,
    tenantId,
    agentId: agent.id,
    recordingsDir,
    workflows,
    close: async () => {
      await sandbox.close();
      await voice.worker.drain();
      await app.close();
      await backend.close();
      await rm(recordingsDir, { recursive: true, force: true });
    },
  };
}

export interface PlacedCall {
  callSid: string;
  call: EmulatedCall;
  caller: CallerResult;
  row: typeof tables.calls.$inferSelect;
}

/**
 * Places a sandbox call to the agent playing `scenario`'s caller, with its LLM script and faults
 * under the call's provider key, and waits until the call is over on both sides (the caller hung
 * up or was hung up on, and the call row reached a final status).
 */
export async function placeScenarioCall(
  w: VoiceWorld,
  scenarioOrName: Scenario | string,
  options: { speed?: number; to?: string } = {},
): Promise<PlacedCall> {
  const scenario = typeof scenarioOrName === 'string' ? await loadScenario(scenarioOrName) : scenarioOrName;
  const callSid = newTwilioSid('CA');
  // The n8n workflows are installed once for the tenant's tools; only the LLM script and faults
  // are per call.
  w.sandbox.applyScenario(`test-${callSid}`, { ...scenario, n8n: undefined });
  const call = await w.sandbox.twilio.placeCall({
    callSid,
    from: scenario.caller.from,
    to: options.to ?? AGENT_NUMBER,
    speed: options.speed ?? 4,
  });
  const caller = await runCaller(call, scenario.caller);
  await call.ended;
  const row = await waitForFinalCall(w, callSid);
  return { callSid, call, caller, row };
}

/** The call row once it has a final status (the engine records the end just after the line). */
export async function waitForFinalCall(w: VoiceWorld, callSid: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await w.backend.owner
      .select()
      .from(tables.calls)
      .where(eq(tables.calls.twilioCallSid, callSid));
    if (row && row.status !== 'ringing' && row.status !== 'in_progress') return row;
    if (Date.now() > deadline) throw new Error(`call ${callSid} still ${row?.status ?? 'missing'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Everything persisted about one call. */
export async function callRecord(w: VoiceWorld, callId: string) {
  return withTenant(w.backend.deps.db, w.tenantId, async (tx) => ({
    utterances: await tx
      .select()
      .from(tables.utterances)
      .where(eq(tables.utterances.callId, callId))
      .orderBy(asc(tables.utterances.seq)),
    events: await tx
      .select()
      .from(tables.callEvents)
      .where(eq(tables.callEvents.callId, callId))
      .orderBy(asc(tables.callEvents.id)),
    costs: await tx.select().from(tables.callCosts).where(eq(tables.callCosts.callId, callId)),
    recordings: await tx.select().from(tables.recordings).where(eq(tables.recordings.callId, callId)),
    toolExecutions: await tx
      .select()
      .from(tables.toolExecutions)
      .where(eq(tables.toolExecutions.callId, callId)),
    attempts: await tx.select().from(tables.toolExecutionAttempts),
  }));
}
