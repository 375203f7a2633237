export { ANALYSIS_STATUSES, type AnalysisStatus, callAnalyses } from './analysis.js';
export { tenantBranding } from './branding.js';
export {
  CALL_END_REASONS,
  CALL_STATUSES,
  CALL_TRANSPORTS,
  type CallEndReason,
  callCosts,
  callEvents,
  callMetrics,
  calls,
  dailyKpis,
  deletionAudit,
  recordings,
  toolExecutionAttempts,
  toolExecutions,
  utterances,
} from './calls.js';
export {
  agents,
  agentVersions,
  n8nConnections,
  phoneNumbers,
  type StoredWebhookAuth,
  type ToolRetryPolicy,
  tools,
} from './control.js';
export {
  apiKeys,
  auditLog,
  memberships,
  passwordTokens,
  retentionPolicies,
  sessions,
  tenants,
  users,
} from './identity.js';
export {
  agentTestCaseRevisions,
  agentTestCases,
  agentTestResults,
  agentTestRuns,
  TEST_RUN_STATUSES,
} from './quality.js';
export { retentionPending, retentionRuns } from './retention.js';
