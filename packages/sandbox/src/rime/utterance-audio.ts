import {
  concatPcm,
  holdSymbols,
  normalizeSpeechText,
  type SpeechPace,
  SYMBOL_MS,
  silence,
  synthesizeSpeech,
} from '../audio/index.js';

export interface WordTimestamps {
  words: string[];
  /** Seconds from the start of this synthesis. */
  start: number[];
  end: number[];
}

export interface UtteranceAudio {
  pcm: Int16Array;
  timestamps: WordTimestamps;
}

/**
 * One synthesis: the text as tones (start marker, one symbol per character, end marker), with
 * `paddingMs` of silence on each side, and the times of each word as Rime reports them.
 */
export function synthesizeUtterance(
  text: string,
  sampleRate: number,
  paddingMs: number,
  pace?: SpeechPace,
): UtteranceAudio {
  const pad = silence(paddingMs, sampleRate);
  return {
    pcm: concatPcm([pad, synthesizeSpeech(text, sampleRate, pace), pad]),
    timestamps: wordTimestamps(text, paddingMs, pace),
  };
}

/** Words as sent (split on whitespace), timed by the symbols of their normalised characters. */
export function wordTimestamps(text: string, offsetMs = 0, pace?: SpeechPace): WordTimestamps {
  const out: WordTimestamps = { words: [], start: [], end: [] };
  // Symbol 0 is the start marker; normalised words are separated by one space symbol.
  let symbol = 1;
  for (const token of text.split(/\s+/)) {
    const spoken = normalizeSpeechText(token);
    if (!spoken) continue;
    out.words.push(token);
    out.start.push(seconds(offsetMs + symbol * SYMBOL_MS));
    out.end.push(seconds(offsetMs + (symbol + spoken.length) * SYMBOL_MS));
    // The space after the word, then the holds that slow it to the pace.
    symbol += spoken.length + 1 + holdSymbols(spoken.length, pace);
  }
  return out;
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}
