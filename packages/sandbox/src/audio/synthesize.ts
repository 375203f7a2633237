import { codeForCharacter, END_CODE, normalizeSpeechText, START_CODE, tonesForCode } from './alphabet.js';

export const SANDBOX_SAMPLE_RATE = 8000;
export const SYMBOL_MS = 20;

/** Peak of each of the two tones; together they stay below full scale. */
const TONE_AMPLITUDE = 0.35 * 32767;

/** First sample of symbol `index` at `sampleRate` (symbols may not be a whole number of samples). */
export function symbolStartSample(index: number, sampleRate: number): number {
  return Math.round((index * SYMBOL_MS * sampleRate) / 1000);
}

function speechCodes(text: string): number[] {
  const codes = [START_CODE];
  for (const ch of normalizeSpeechText(text)) codes.push(codeForCharacter(ch)!);
  codes.push(END_CODE);
  return codes;
}

/**
 * Text spoken as tones: PCM16 mono at `sampleRate`, one 20 ms dual-tone symbol per character of the
 * normalised text (see normalizeSpeechText), framed by a start and an end marker symbol. No silence
 * is added around it. Empty text (after normalisation) still yields the two markers.
 */
export function synthesizeSpeech(text: string, sampleRate: number): Int16Array {
  assertSampleRate(sampleRate);
  const codes = speechCodes(text);
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

/** Duration of `synthesizeSpeech(text, rate)` in ms, whatever the rate. */
export function speechDurationMs(text: string): number {
  return (normalizeSpeechText(text).length + 2) * SYMBOL_MS;
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
