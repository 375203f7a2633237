/** The runtime plane: the call engine, its providers, the call worker and what it persists. */
export type { CallAgentConfig, CallContext } from './call-context.js';
export { CallWorker, type CallWorkerPorts, type CallWorkerSettings } from './call-worker.js';
export {
  type Admission,
  type AdmittingWorker,
  admitInboundCall,
  type InboundCall,
  type RejectReason,
  tenantCallSlots,
  workerCallSlots,
} from './calls/admit-inbound-call.js';
export { handOffCallConfig, takeCallConfig } from './calls/call-config-handoff.js';
export type { CallRow, CallStatus, CallTransport } from './calls/call-row.js';
export { claimCall, refuseCall } from './calls/claim-call.js';
export { findCallById, findCallBySid, getCall } from './calls/find-call.js';
export { type ReapOptions, reapStaleCalls } from './calls/reap-stale-calls.js';
export { recordTelephonyStatus } from './calls/record-telephony-status.js';
export { waitForCallEnd } from './calls/wait-for-call-end.js';
export { agentTools, END_CALL_TOOL, type ToolExecutor } from './engine/agent-tools.js';
export {
  type CallOutcome,
  DEFAULT_ENGINE_TIMING,
  type EngineTiming,
  type RunCallDeps,
  runCall,
} from './engine/run-call.js';
export type { AudioTap, CallIO, LineEnd } from './io/call-io.js';
export { PushAudioInput } from './io/push-audio-input.js';
export { synchronizedTranscript, type TimedText } from './io/synchronized-transcript.js';
export {
  ALL_CALLS_CHANNEL,
  type CallUpdate,
  callChannel,
  followCall,
  followCalls,
  publishCallUpdate,
  tenantCallsChannel,
} from './live-events.js';
export { RuntimeMetrics } from './metrics.js';
export { installAgentsLogger } from './providers/agents-logger.js';
export { DeepgramSTT, type DeepgramSTTOptions } from './providers/deepgram-stt.js';
export type { ProviderSettings } from './providers/provider-settings.js';
export { RimeTTS, type RimeTTSOptions } from './providers/rime-tts.js';
export type { CallEndStatus, CallRecorder, TurnLatency, UtteranceRecord } from './recorder/call-recorder.js';
export { DbCallRecorder } from './recorder/db-call-recorder.js';
export { MemoryCallRecorder } from './recorder/memory-recorder.js';
export { costLines, DEFAULT_PRICES, type PriceTable } from './recorder/price-table.js';
export { readStereoWav, StereoRecorder } from './recording/stereo-recorder.js';
