import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { seedDemo } from '../control/seed-demo.js';
import { type Database, openDatabase } from '../db/index.js';
import { buildApp } from '../http/app.js';
import type { Deps } from '../lib/deps.js';
import { SecretBox } from '../lib/secrets.js';
import { openStore } from '../store/index.js';
import { createVoiceService } from '../telephony/index.js';

export interface Platform {
  app: FastifyInstance;
  database: Database;
  deps: Deps;
  url: string;
  seeded: boolean;
  close(): Promise<void>;
}

export function openPlatformDatabase(config: Config): Promise<Database> {
  return openDatabase(
    config.database.kind === 'postgres' ? config.database : { kind: 'pglite', dataDir: config.dataDir },
  );
}

/** Opens the database and store, migrates, seeds an empty database, and serves the HTTP app. */
export async function startPlatform(config: Config, log: Logger): Promise<Platform> {
  const database = await openPlatformDatabase(config);
  const closers: (() => Promise<void>)[] = [() => database.close()];
  try {
    await database.migrate();
    const store = await openStore(config.store);
    closers.unshift(() => store.close());
    const deps: Deps = {
      db: database.db,
      store,
      log,
      now: () => new Date(),
      crossTenantLog: (access) => log.info({ crossTenant: access }, 'cross-tenant access'),
      secrets: SecretBox.fromConfig({ base64Key: config.secretsKey, dataDir: config.dataDir }),
    };
    const seeded = config.seedDemo ? await seedDemo(deps) : false;
    const voice = createVoiceService(deps, config);
    const app = await buildApp({ config, database, deps }, { voice });
    closers.unshift(() => app.close());
    const address = await app.listen({ host: config.host, port: config.port });
    if (!config.publicUrl) voice.setPublicUrl(address);
    voice.worker.startReaper();
    // Runs first on close: no new calls, running ones finish (up to DRAIN_TIMEOUT_MS).
    closers.unshift(() => voice.worker.drain());
    return {
      app,
      database,
      deps,
      url: config.publicUrl ?? address,
      seeded,
      close: async () => {
        for (const close of closers) await close();
      },
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => {});
    throw err;
  }
}
