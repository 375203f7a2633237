export { type CallStatus, callSummaryColumns, listCalls } from './list-calls.js';
