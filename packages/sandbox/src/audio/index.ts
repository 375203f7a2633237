export {
  HIGH_TONES_HZ,
  LOW_TONES_HZ,
  normalizeSpeechText,
  SPEECH_CHARACTERS,
  UNDECODABLE,
} from './alphabet.js';
export { mulawDecode, mulawEncode } from './mulaw.js';
export { concatPcm, pcm16FromBytes, pcm16ToBytes } from './pcm.js';
export { linearResample } from './resample.js';
export {
  decodeSpeech,
  SpeechDecoder,
  type SpeechEvent,
  type SpeechWord,
  transcribeSpeech,
} from './speech-decoder.js';
export {
  HUMAN_WORDS_PER_MINUTE,
  holdSymbols,
  SANDBOX_SAMPLE_RATE,
  type SpeechPace,
  SYMBOL_MS,
  silence,
  speechDurationMs,
  synthesizeSpeech,
} from './synthesize.js';
