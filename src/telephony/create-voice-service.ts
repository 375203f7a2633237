import { hostname } from 'node:os';
import type { Config } from '../config/index.js';
import { type NumberResolution, resolveNumber } from '../control/index.js';
import { executeTool } from '../gateway/index.js';
import type { Deps } from '../lib/deps.js';
import { CallWorker, type CallWorkerSettings, type ToolExecutor } from '../runtime/index.js';
import { type BlobStore, FilesystemBlobStore, S3BlobStore } from '../storage/index.js';
import { VoiceService } from './voice-service.js';

export interface VoiceServiceOverrides {
  publicUrl?: string;
  resolveNumber?: (e164: string) => Promise<NumberResolution>;
  executeTool?: ToolExecutor;
  blobs?: BlobStore;
  worker?: Partial<CallWorkerSettings>;
  media?: { leadMs?: number; markEveryMs?: number };
}

/** The blob store recordings go to, as configured. */
export function recordingStore(config: Config): BlobStore {
  const r = config.voice.recordings;
  if (r.kind === 'filesystem') return new FilesystemBlobStore(r.dir);
  if (!r.accessKeyId || !r.secretAccessKey) {
    throw new Error(
      'RECORDINGS_S3_ACCESS_KEY_ID and RECORDINGS_S3_SECRET_ACCESS_KEY are needed with RECORDINGS_S3_BUCKET',
    );
  }
  return new S3BlobStore({
    bucket: r.bucket,
    endpoint: r.endpoint,
    region: r.region,
    accessKeyId: r.accessKeyId,
    secretAccessKey: r.secretAccessKey,
  });
}

/**
 * Wires the runtime plane from configuration: the call worker (providers, prices, recordings,
 * tools through the Automation Gateway) and the Twilio-facing voice service over it.
 */
export function createVoiceService(
  deps: Deps,
  config: Config,
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
      executeTool: overrides.executeTool ?? ((request, options) => executeTool(deps, request, options)),
      blobs: overrides.blobs ?? recordingStore(config),
    },
  );
  return new VoiceService(deps, {
    publicUrl: overrides.publicUrl ?? config.publicUrl ?? `http://${config.host}:${config.port}`,
    twilioAuthToken: v.twilioAuthToken,
    transport: v.transport,
    streamTokenTtlMs: v.streamTokenTtlMs,
    livekit: {
      sipUri: v.livekit.sipUri,
      sipUsername: v.livekit.sipUsername,
      sipPassword: v.livekit.sipPassword,
    },
    resolveNumber: overrides.resolveNumber ?? ((e164) => resolveNumber(deps, e164)),
    worker,
    media: overrides.media,
  });
}
