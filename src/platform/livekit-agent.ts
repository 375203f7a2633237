import { fileURLToPath } from 'node:url';
import { AutoSubscribe, cli, defineAgent, type JobContext, ServerOptions } from '@livekit/agents';
import { loadConfig } from '../config/index.js';
import type { Deps } from '../deps/index.js';
import { createLogger } from '../lib/logger.js';
import type { CallWorker } from '../runtime/index.js';
import { openStore } from '../store/index.js';
import { createVoiceService, runLiveKitCall } from '../telephony/index.js';
import { openPlatformDatabase } from './platform.js';
import { createDeps, createServices } from './services.js';

let runtime: Promise<{ deps: Deps; worker: CallWorker }> | undefined;

/** One database, store and worker per job process, opened by its first job. */
function processRuntime() {
  runtime ??= (async () => {
    const config = loadConfig();
    const log = createLogger(config.logLevel);
    const database = await openPlatformDatabase(config);
    const store = await openStore(config.store);
    const deps = createDeps(config, database.db, store, log);
    return { deps, worker: createVoiceService(deps, config, createServices(config)).worker };
  })();
  return runtime;
}

/**
 * The LiveKit agent server entry (a composition root of its own process): a job per call, dispatched by name by the SIP dispatch rule.
 * It only maps the room's SIP participant to our call; the call runs as on every transport.
 */
export default defineAgent({
  entry: async (ctx: JobContext) => {
    const { deps, worker } = await processRuntime();
    await ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY);
    const participant = await ctx.waitForParticipant();
    await runLiveKitCall(deps, worker, ctx.room, participant, () => ctx.deleteRoom());
  },
});

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  cli.runApp(
    new ServerOptions({
      agent: fileURLToPath(import.meta.url),
      agentName: loadConfig().voice.livekit.agentName,
    }),
  );
}
