export { type CallCursor, decodeCallCursor, encodeCallCursor } from './call-cursor.js';
export { type CallExportScope, csvCell, exportCallsCsv } from './export-calls-csv.js';
export {
  type CallListFilters,
  type CallListItem,
  type CallStatus,
  callFilterConditions,
  callListColumns,
  callSummaryColumns,
  checkCallListFilters,
  type ListCallsInput,
  listAllCalls,
  listCalls,
  selectCallPage,
} from './list-calls.js';
export { type CallSnapshot, getCallSnapshot, isLiveStatus, listLiveCalls } from './live-calls.js';
export { type SeedCallsOptions, type SeedCallsResult, seedCalls } from './seed-calls.js';
