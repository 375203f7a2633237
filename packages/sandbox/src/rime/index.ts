export { type RimeEmulator, type RimeEmulatorOptions, startRimeEmulator } from './emulator.js';
export { RimeFaults, type RimeFaultsInput } from './faults.js';
export type { RimeRequestRecord, RimeUsage } from './key-state.js';
export { checkVoice, isKnownModel, RIME_MODELS } from './models.js';
export { RimeTtsRequest } from './tts-request.js';
export { type UtteranceAudio, type WordTimestamps, wordTimestamps } from './utterance-audio.js';
