export {
  type AppDb,
  type Database,
  type DatabaseTarget,
  type DbOrTx,
  MIGRATIONS_DIR,
  openDatabase,
  type Tx,
} from './client.js';
export { CALL_END_REASONS, type CallEndReason } from './schema/calls.js';
export type { StoredWebhookAuth, ToolRetryPolicy } from './schema/index.js';
export * as tables from './schema/index.js';
export {
  APP_ROLE,
  type CrossTenantAccess,
  type CrossTenantLogger,
  rawQuery,
  withAllTenants,
  withTenant,
} from './scope.js';
