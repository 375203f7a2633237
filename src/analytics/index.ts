export { type CallCursor, decodeCallCursor, encodeCallCursor } from './call-cursor.js';
export { type CallDetailView, getCallDetail } from './call-detail.js';
export { type CallMetrics, metricsFrom, percentile, recomputeCallMetrics } from './call-metrics.js';
export {
  copyReportedOutcome,
  ENDED_STATUSES,
  finalizeCall,
  type RecomputeKpisInput,
  recomputeKpis,
  refreshDailyKpis,
} from './daily-kpis.js';
export { type CallExportScope, exportCallsCsv } from './export-calls-csv.js';
export { getTenantKpis, type KpiQuery, type Kpis, kpiPeriod, listTenantKpis } from './kpis.js';
export {
  type CallListFilters,
  type CallListItem,
  type CallStatus,
  callListColumns,
  checkCallListFilters,
  type ListCallsInput,
  listAllCalls,
  listCalls,
  selectCallPage,
} from './list-calls.js';
export { type CallSnapshot, getCallSnapshot, isLiveStatus, listLiveCalls } from './live-calls.js';
export {
  checkRecordingLink,
  RECORDING_LINK_TTL_MS,
  type RecordingLink,
  recordingLink,
  signRecordingLink,
} from './recording-links.js';
export { playRecording, type RecordingPlayback, requestedRange } from './recording-playback.js';
export {
  findSeedTenant,
  refreshSeededKpis,
  type SeedCallsOptions,
  type SeedCallsResult,
  seedCalls,
} from './seed-calls.js';
