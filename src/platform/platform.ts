import { loadScenario, type Sandbox } from '@switchboard/sandbox';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AnalysisWorker, SANDBOX_ANALYSIS_KEY } from '../analysis/index.js';
import type { Config } from '../config/index.js';
import { seedDemo } from '../control/seed-demo.js';
import { type Database, openDatabase, warnIfPrivilegedRole } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { buildApp } from '../http/app.js';
import { startRetentionSchedule } from '../retention/index.js';
import { openStore } from '../store/index.js';
import { createVoiceService } from '../telephony/index.js';
import { createSandboxCalls } from './sandbox-calls.js';
import { configWithSandbox, startPlatformSandbox } from './sandbox-mode.js';
import { seedDemoCalls } from './seed-demo-calls.js';
import { createDeps, createServices } from './services.js';

export interface Platform {
  app: FastifyInstance;
  database: Database;
  deps: Deps;
  url: string;
  seeded: boolean;
  /** The in-process provider emulators, when the sandbox is on. */
  sandbox: Sandbox | undefined;
  close(): Promise<void>;
}

export function openPlatformDatabase(config: Config): Promise<Database> {
  return openDatabase(
    config.database.kind === 'postgres' ? config.database : { kind: 'pglite', dataDir: config.dataDir },
  );
}

/** Opens the database and store, migrates, seeds an empty database, and serves the HTTP app. */
export async function startPlatform(initialConfig: Config, log: Logger): Promise<Platform> {
  let config = initialConfig;
  const database = await openPlatformDatabase(config);
  const closers: (() => Promise<void>)[] = [() => database.close()];
  try {
    await database.migrate();
    await warnIfPrivilegedRole(database, log);
    const store = await openStore(config.store);
    closers.unshift(() => store.close());
    const deps = createDeps(config, database.db, store, log);
    let sandbox: Sandbox | undefined;
    if (config.sandbox.enabled) {
      sandbox = await startPlatformSandbox(config);
      closers.unshift(() => sandbox!.close());
      config = configWithSandbox(config, sandbox);
    }
    const services = createServices(config);
    closers.push(() => services.close());
    const { outbound, gateway, publicUrl } = services;
    const seeded = config.seedDemo
      ? await seedDemo(deps, sandbox ? { n8nUrl: sandbox.n8n.url, outbound } : undefined)
      : false;
    const voice = createVoiceService(deps, config, services);
    const sandboxCalls = sandbox ? createSandboxCalls(deps, sandbox, publicUrl) : undefined;
    if (sandboxCalls) sandboxCalls.installWorkflows(await loadScenario('book-appointment'));
    const app = await buildApp(
      { config, database, deps, outbound, gateway, publicUrl, blobs: services.blobs },
      { voice, sandboxCalls },
    );
    closers.unshift(() => app.close());
    await app.listen({ host: config.host, port: config.port });
    publicUrl.resolveFromAddress(app.server.address());
    voice.worker.startReaper();
    voice.worker.metrics.watchEventLoop();
    closers.push(async () => voice.worker.metrics.stopWatchingEventLoop());
    closers.unshift(startRetentionSchedule(deps, database, services.blobs));
    // Post-call analysis, off the call path; stops after the calls have drained (they queue it).
    sandbox?.openai.setScript(SANDBOX_ANALYSIS_KEY, {});
    const analysis = new AnalysisWorker(deps, {
      providers: config.voice.providers,
      apiKey: sandbox ? SANDBOX_ANALYSIS_KEY : undefined,
      prices: config.voice.prices,
    }).start();
    closers.unshift(() => analysis.stop());
    // Runs first on close: no new calls, running ones finish (up to DRAIN_TIMEOUT_MS).
    closers.unshift(() => voice.worker.drain());
    if (seeded && sandboxCalls) closers.unshift(seedDemoCalls(deps, sandboxCalls));
    return {
      app,
      database,
      deps,
      url: publicUrl.get(),
      seeded,
      sandbox,
      close: async () => {
        for (const close of closers) await close();
      },
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => {});
    throw err;
  }
}
