export { type CallDetailView, getCallDetail } from './call-detail.js';
export { type CallMetrics, metricsFrom, percentile, recomputeCallMetrics } from './call-metrics.js';
export {
  ENDED_STATUSES,
  finalizeCall,
  type RecomputeKpisInput,
  recomputeKpis,
  refreshDailyKpis,
} from './daily-kpis.js';
export { getTenantKpis, type KpiQuery, type Kpis, kpiPeriod, listTenantKpis } from './kpis.js';
export { type CallStatus, callSummaryColumns, listCalls } from './list-calls.js';
export {
  checkRecordingLink,
  RECORDING_LINK_TTL_MS,
  type RecordingLink,
  recordingLink,
  signRecordingLink,
} from './recording-links.js';
export { playRecording, type RecordingPlayback, requestedRange } from './recording-playback.js';
