import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, type Sandbox, startSandbox } from '@switchboard/sandbox';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { type Config, loadConfig } from '../../src/config/index.js';
import { buildApp } from '../../src/http/app.js';
import { createSandboxCalls, type SandboxCalls } from '../../src/platform/sandbox-calls.js';
import { externalSandboxEnv } from '../../src/platform/sandbox-mode.js';
import { createServices } from '../../src/platform/services.js';
import { createVoiceService } from '../../src/telephony/index.js';
import { call } from './app.js';
import { openTestBackend, type TestBackend } from './backend.js';
import { createWorld, type World } from './fixtures.js';

/** The product with its runtime plane over the sandbox's emulators, listening on a free port. */
export interface SandboxPlatform {
  backend: TestBackend;
  sandbox: Sandbox;
  config: Config;
  sandboxCalls: SandboxCalls;
  app: FastifyInstance;
  /** Where the app listens. */
  url: string;
  world: World;
  close(): Promise<void>;
}

/** Settings that point the app's providers (Twilio, Deepgram, OpenAI, Rime, n8n) at the sandbox. */
export function sandboxEnv(sandbox: Sandbox, recordingsDir: string): Record<string, string> {
  // The app under test starts no emulators of its own: these are the test's.
  const { SANDBOX: _off, ...providers } = externalSandboxEnv(sandbox);
  return { ...providers, LOG_LEVEL: 'silent', RECORDINGS_DIR: recordingsDir };
}

/** Starts the sandbox, then the app (with voice and sandbox calls) configured against it. */
export async function startSandboxPlatform(): Promise<SandboxPlatform> {
  const backend = await openTestBackend();
  const sandbox = await startSandbox();
  const recordingsDir = await mkdtemp(join(tmpdir(), 'sb-platform-'));
  const config = loadConfig(sandboxEnv(sandbox, recordingsDir));
  const services = createServices(config);
  const { outbound, gateway, publicUrl, blobs } = services;
  const voice = createVoiceService(backend.deps, config, services);
  const sandboxCalls = createSandboxCalls(backend.deps, sandbox, publicUrl);
  const app = await buildApp(
    { config, database: backend.database, deps: backend.deps, outbound, gateway, publicUrl, blobs },
    { voice, sandboxCalls },
  );
  app.addHook('onClose', () => services.close());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  publicUrl.resolveFromAddress(app.server.address());
  const world = await createWorld(backend, app);
  return {
    backend,
    sandbox,
    config,
    sandboxCalls,
    app,
    url,
    world,
    close: async () => {
      await sandbox.close();
      await app.close();
      await backend.close();
      await rm(recordingsDir, { recursive: true, force: true });
    },
  };
}

/**
 * A receptionist agent of the world's tenant A with the `book_appointment` tool (the shipped
 * book-appointment scenario's n8n workflow), published and answering `number`. `draft` adds to or
 * overrides the default draft. Answers the agent's id.
 */
export async function publishBookingAgent(
  platform: SandboxPlatform,
  number: string,
  draft: Record<string, unknown>,
): Promise<string> {
  const { app, sandbox, sandboxCalls, world } = platform;
  const t = `/api/tenants/${world.tenantA}`;
  const admin = world.as.admin;
  const connection = await call(app, admin, 'POST', `${t}/n8n-connections`, {
    name: 'sandbox n8n',
    baseUrl: sandbox.n8n.url,
    apiKey: 'sandbox-api-key',
  });
  sandboxCalls.installWorkflows(await loadScenario('book-appointment'));
  const tool = await call(app, admin, 'POST', `${t}/tools`, {
    name: 'book_appointment',
    description: 'Books an appointment',
    inputSchema: { type: 'object', properties: {}, additionalProperties: true },
    connectionId: connection.json().id,
    webhookPath: 'book-appointment',
  });
  const agent = await call(app, admin, 'POST', `${t}/agents`, {
    name: 'Front desk',
    draft: {
      greeting: 'Hi, this is Acme Dental. How can I help you today?',
      voice: { model: 'mistv2', speaker: 'cove' },
      stt: { model: 'nova-3', endpointingMs: 200 },
      toolIds: [tool.json().id],
      ...draft,
    },
  });
  expect(agent.statusCode, agent.body).toBe(201);
  const agentId: string = agent.json().id;
  expect((await call(app, admin, 'POST', `${t}/agents/${agentId}/versions`, { note: 'v1' })).statusCode).toBe(
    201,
  );
  expect((await call(app, admin, 'POST', `${t}/phone-numbers`, { e164: number, agentId })).statusCode).toBe(
    201,
  );
  return agentId;
}
