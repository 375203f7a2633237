import type { Logger } from 'pino';
import type { AppDb, CrossTenantLogger } from '../db/index.js';
import type { EphemeralStore } from '../store/index.js';
import type { SecretBox } from './secrets.js';

/** What domain functions are given instead of reaching for globals. */
export interface Deps {
  db: AppDb;
  store: EphemeralStore;
  log: Logger;
  now: () => Date;
  crossTenantLog: CrossTenantLogger;
  secrets: SecretBox;
}

/** Who performs a state change, for the audit log. `audited` is set once a domain function recorded it. */
export interface Actor {
  kind: 'user' | 'api_key' | 'system';
  id: string | null;
  requestId?: string;
  ip?: string;
  audited?: boolean;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null };
