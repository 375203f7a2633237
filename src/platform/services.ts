import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { AppDb } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { type Clock, createGateway, type Gateway, systemClock } from '../gateway/index.js';
import { PublicUrl } from '../lib/public-url.js';
import { SecretBox } from '../lib/secrets.js';
import { createOutboundGuard, type OutboundGuard } from '../lib/ssrf.js';
import { type BlobStore, FilesystemBlobStore, S3BlobStore } from '../storage/index.js';
import type { EphemeralStore } from '../store/index.js';

/** The production wiring of Deps: real clock, cross-tenant access logged, secrets keyed from config. */
export function createDeps(config: Config, db: AppDb, store: EphemeralStore, log: Logger): Deps {
  return {
    db,
    store,
    log,
    now: () => new Date(),
    crossTenantLog: (access) => log.info({ crossTenant: access }, 'cross-tenant access'),
    secrets: SecretBox.fromConfig({ base64Key: config.secretsKey, dataDir: config.dataDir }),
  };
}

/**
 * The process's shared infrastructure, built once here and passed down: every outbound request
 * leaves through one SSRF guard, every tool call (from a call or from the console) through one
 * gateway with its breakers and tenant caps, recordings go to one blob store.
 */
export interface Services {
  clock: Clock;
  outbound: OutboundGuard;
  gateway: Gateway;
  blobs: BlobStore;
  /** Resolved once the server listens (or PUBLIC_URL). */
  publicUrl: PublicUrl;
  close(): Promise<void>;
}

export function createServices(
  config: Config,
  overrides: { clock?: Clock; blobs?: BlobStore } = {},
): Services {
  const clock = overrides.clock ?? systemClock;
  const outbound = createOutboundGuard({ allowedHosts: config.outboundAllowedHosts });
  return {
    clock,
    outbound,
    gateway: createGateway({ fetch: outbound.fetch, clock }),
    blobs: overrides.blobs ?? recordingStore(config),
    publicUrl: new PublicUrl(config.publicUrl),
    close: () => outbound.close(),
  };
}

/** The blob store recordings go to, as configured (loadConfig checked the S3 settings). */
export function recordingStore(config: Config): BlobStore {
  const r = config.voice.recordings;
  if (r.kind === 'filesystem') return new FilesystemBlobStore(r.dir);
  return new S3BlobStore({
    bucket: r.bucket,
    endpoint: r.endpoint,
    region: r.region,
    accessKeyId: r.accessKeyId,
    secretAccessKey: r.secretAccessKey,
  });
}
