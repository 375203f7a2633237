import type { Config } from '../config/index.js';
import type { Database } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import type { Gateway } from '../gateway/index.js';
import type { PublicUrl } from '../lib/public-url.js';
import type { OutboundGuard } from '../lib/ssrf.js';
import type { BlobStore } from '../storage/index.js';

/** What the HTTP app is built from; the shared objects are built once by the composition root. */
export interface AppContext {
  config: Config;
  database: Database;
  deps: Deps;
  /** The one SSRF guard every outbound request of the console goes through. */
  outbound: OutboundGuard;
  /** The one Automation Gateway: calls and the console's "test tool" share its breakers and caps. */
  gateway: Gateway;
  /** Where Twilio reaches this server; known once it listens. */
  publicUrl: PublicUrl;
  /** Where recordings are (one store: the recorder writes, playback and retention read and delete). */
  blobs: BlobStore;
}
