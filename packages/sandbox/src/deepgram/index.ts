export { type DeepgramEmulator, type DeepgramEmulatorOptions, startDeepgramEmulator } from './emulator.js';
export { DeepgramFaults, type DeepgramFaultsInput } from './faults.js';
export type { DeepgramConnectionRecord, DeepgramUsage } from './key-state.js';
export { type ListenParams, servesLanguage } from './listen-params.js';
export type {
  MetadataMessage,
  ResultsMessage,
  ServerMessage,
  SpeechStartedMessage,
  UtteranceEndMessage,
} from './messages.js';
