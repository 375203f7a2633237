/** Retention: per-tenant policy, legal hold, the cleanup job and its deletion audit. */
export {
  HOLD_REASON_MAX,
  HOLD_REASON_MIN,
  type LegalHoldState,
  normalizeHoldReason,
  placeLegalHold,
  releaseLegalHold,
} from './legal-hold.js';
export {
  CSV_MAX_ROWS,
  type DeletionAuditRow,
  deletionAuditCsv,
  getRetentionRun,
  type ListDeletionAuditInput,
  type ListRunsInput,
  listDeletionAudit,
  listRetentionRuns,
  retentionRunsCsv,
} from './list-retention.js';
export {
  DEFAULT_RETENTION_DAYS,
  getRetentionPolicy,
  MAX_RETENTION_DAYS,
  MIN_RETENTION_DAYS,
  type RetentionPolicy,
  type SetRetentionPolicyInput,
  setRetentionPolicy,
} from './policy.js';
export { type RunLock, retentionLock } from './run-lock.js';
export {
  type DeletedCounts,
  type PlannedDeletion,
  type RetentionEnv,
  type RetentionHooks,
  type RetentionRun,
  type RetentionRunOptions,
  type RetentionRunResult,
  type RetentionTrigger,
  runRetention,
} from './run-retention.js';
export { runRetentionIfDue, startRetentionSchedule } from './schedule.js';
export { findTenantIdBySlug } from './tenant-by-slug.js';
