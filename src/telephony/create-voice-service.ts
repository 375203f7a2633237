import { hostname } from 'node:os';
import type { Config } from '../config/index.js';
import type { NumberResolution } from '../control/index.js';
import type { Deps } from '../deps/index.js';
import type { Gateway } from '../gateway/index.js';
import type { PublicUrl } from '../lib/public-url.js';
import { resolveCallTarget } from '../quality/index.js';
import { CallWorker, type CallWorkerSettings, type ToolExecutor } from '../runtime/index.js';
import type { BlobStore } from '../storage/index.js';
import { VoiceService } from './voice-service.js';

export interface VoiceServiceOverrides {
  resolveNumber?: (e164: string, callSid: string) => Promise<NumberResolution>;
  executeTool?: ToolExecutor;
  worker?: Partial<CallWorkerSettings>;
  media?: { leadMs?: number; markEveryMs?: number };
}

/**
 * Wires the runtime plane from configuration: the call worker (providers, prices, recordings,
 * tools through the shared Automation Gateway) and the Twilio-facing voice service over it.
 */
export function createVoiceService(
  deps: Deps,
  config: Config,
  shared: { gateway: Gateway; blobs: BlobStore; publicUrl: PublicUrl },
  overrides: VoiceServiceOverrides = {},
): VoiceService {
  const v = config.voice;
  const worker = new CallWorker(
    deps,
    {
      workerId: `${hostname()}:${process.pid}`,
      maxCalls: v.worker.maxCalls,
      heartbeatMs: v.worker.heartbeatMs,
      staleAfterMs: v.worker.staleAfterMs,
      ringingTimeoutMs: Math.max(v.streamTokenTtlMs, 60_000),
      drainTimeoutMs: v.worker.drainTimeoutMs,
      providers: v.providers,
      prices: v.prices,
      ...overrides.worker,
    },
    {
      executeTool:
        overrides.executeTool ?? ((request, options) => shared.gateway.execute(deps, request, options)),
      blobs: shared.blobs,
    },
  );
  return new VoiceService(deps, {
    publicUrl: shared.publicUrl,
    twilioAuthToken: v.twilioAuthToken,
    transport: v.transport,
    streamTokenTtlMs: v.streamTokenTtlMs,
    livekit: {
      sipUri: v.livekit.sipUri,
      sipUsername: v.livekit.sipUsername,
      sipPassword: v.livekit.sipPassword,
    },
    resolveNumber: overrides.resolveNumber ?? ((e164, callSid) => resolveCallTarget(deps, e164, callSid)),
    worker,
    media: overrides.media,
  });
}
