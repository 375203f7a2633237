import {
  codeForCharacter,
  END_CODE,
  HOLD_CODE,
  normalizeSpeechText,
  START_CODE,
  tonesForCode,
} from './alphabet.js';

export const SANDBOX_SAMPLE_RATE = 8000;
export const SYMBOL_MS = 20;

/** Peak of each of the two tones; together they stay below full scale. */
const TONE_AMPLITUDE = 0.35 * 32767;

/** First sample of symbol `index` at `sampleRate` (symbols may not be a whole number of samples). */
export function symbolStartSample(index: number, sampleRate: number): number {
  return Math.round((index * SYMBOL_MS * sampleRate) / 1000);
}

/**
 * How fast tone speech goes. Without `wordsPerMinute` every character is one 20 ms symbol (about
 * 500 words a minute: the fast mode tests use); with it, each word is followed by hold symbols
 * until it has taken 60 000 / wordsPerMinute ms, as people speak (about 150 words a minute).
 */
export interface SpeechPace {
  wordsPerMinute?: number | undefined;
}

/** A person's speaking pace in words per minute (conversational English is 140–160). */
export const HUMAN_WORDS_PER_MINUTE = 150;

/** Hold symbols after a word of `length` characters (plus its space) at the pace. */
export function holdSymbols(length: number, pace: SpeechPace | undefined): number {
  const wpm = pace?.wordsPerMinute;
  if (!wpm) return 0;
  return Math.max(0, Math.round(60_000 / wpm / SYMBOL_MS) - (length + 1));
}

function speechCodes(text: string, pace: SpeechPace | undefined): number[] {
  const codes = [START_CODE];
  const words = normalizeSpeechText(text).split(' ');
  words.forEach((word, index) => {
    for (const ch of word) codes.push(codeForCharacter(ch)!);
    if (index === words.length - 1) return;
    codes.push(codeForCharacter(' ')!);
    for (let i = holdSymbols(word.length, pace); i > 0; i--) codes.push(HOLD_CODE);
  });
  codes.push(END_CODE);
  return codes;
}

/**
 * Text spoken as tones: PCM16 mono at `sampleRate`, one 20 ms dual-tone symbol per character of the
 * normalised text (see normalizeSpeechText), framed by a start and an end marker symbol, with hold
 * symbols between words at a human pace (see SpeechPace). No silence is added around it. Empty text
 * (after normalisation) still yields the two markers.
 */
export function synthesizeSpeech(text: string, sampleRate: number, pace?: SpeechPace): Int16Array {
  assertSampleRate(sampleRate);
  const codes = speechCodes(text, pace);
  const out = new Int16Array(symbolStartSample(codes.length, sampleRate));
  codes.forEach((code, index) => {
    const [low, high] = tonesForCode(code);
    const wLow = (2 * Math.PI * low) / sampleRate;
    const wHigh = (2 * Math.PI * high) / sampleRate;
    const end = symbolStartSample(index + 1, sampleRate);
    for (let n = symbolStartSample(index, sampleRate); n < end; n++) {
      out[n] = Math.round(TONE_AMPLITUDE * (Math.sin(wLow * n) + Math.cos(wHigh * n)));
    }
  });
  return out;
}

/** Duration of `synthesizeSpeech(text, rate, pace)` in ms, whatever the rate. */
export function speechDurationMs(text: string, pace?: SpeechPace): number {
  return speechCodes(text, pace).length * SYMBOL_MS;
}

export function silence(ms: number, sampleRate: number): Int16Array {
  assertSampleRate(sampleRate);
  return new Int16Array(Math.max(0, Math.round((ms * sampleRate) / 1000)));
}

export function assertSampleRate(sampleRate: number): void {
  // The highest tone (3150 Hz) needs a Nyquist frequency above it.
  if (!Number.isFinite(sampleRate) || sampleRate < 7000 || sampleRate > 192_000) {
    throw new RangeError(`unsupported sample rate ${sampleRate}`);
  }
}
