import type { Logger } from 'pino';
import type { AppDb, CrossTenantLogger } from '../db/index.js';
import type { SecretBox } from '../lib/secrets.js';
import type { EphemeralStore } from '../store/index.js';

/**
 * What domain functions are given instead of reaching for globals: the database, the ephemeral
 * store, a logger, the clock and the secret box. It sits between the infrastructure it names and the
 * domain areas that take it; `platform/services.ts` (`createDeps`) builds it.
 */
export interface Deps {
  db: AppDb;
  store: EphemeralStore;
  log: Logger;
  now: () => Date;
  crossTenantLog: CrossTenantLogger;
  secrets: SecretBox;
}
