export { type OpenAIEmulator, type OpenAIEmulatorOptions, startOpenAIEmulator } from './emulator.js';
export type { LlmRequestOutcome, LlmRequestRecord, LlmUsageTotals } from './key-state.js';
export { type EmulatedModelRules, emulatedModelRules } from './models.js';
export {
  LlmAnswer,
  LlmFaults,
  type LlmFaultsInput,
  LlmRule,
  LlmScript,
  type LlmScriptInput,
  LlmToolCall,
  LlmToolResultMatch,
  LlmWhen,
} from './script.js';
export type { CompletionUsage } from './usage.js';
