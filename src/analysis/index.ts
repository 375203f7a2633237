export { analyseCall, analysisSchema, isStrictCompatible } from './analyse-call.js';
export { DEMO_ANALYSIS } from './demo-analysis.js';
export { claimAnalysis, enqueueAnalysis } from './queue.js';
export {
  type AnalysisSettled,
  AnalysisWorker,
  type AnalysisWorkerOptions,
  SANDBOX_ANALYSIS_KEY,
} from './worker.js';
