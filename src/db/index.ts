export {
  type AppDb,
  type Database,
  type DatabaseTarget,
  type DbOrTx,
  MIGRATIONS_DIR,
  openDatabase,
  type RuntimeRole,
  type Tx,
} from './client.js';
export { findTenant, type TenantRowFinder, tenantRowFinder, withLockedRow } from './find-tenant-row.js';
export { keysetPage, tenantPage } from './keyset-page.js';
export { preparedOnce } from './prepared-once.js';
export { warnIfPrivilegedRole } from './roles.js';
export { ANALYSIS_STATUSES, type AnalysisStatus } from './schema/analysis.js';
export { CALL_END_REASONS, CALL_STATUSES, CALL_TRANSPORTS, type CallEndReason } from './schema/calls.js';
export type { StoredWebhookAuth, ToolRetryPolicy } from './schema/index.js';
export * as tables from './schema/index.js';
export {
  APP_ROLE,
  type CrossTenantAccess,
  type CrossTenantLogger,
  rawQuery,
  readAsTenant,
  withAllTenants,
  withTenant,
} from './scope.js';
