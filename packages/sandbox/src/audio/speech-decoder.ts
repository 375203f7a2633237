import { characterForCode, END_CODE, HOLD_CODE, START_CODE, UNDECODABLE } from './alphabet.js';
import { SymbolClassifier, type SymbolReading } from './classify-symbol.js';
import { assertSampleRate, symbolStartSample } from './synthesize.js';

export interface SpeechWord {
  word: string;
  startMs: number;
  endMs: number;
}

export type SpeechEvent =
  | { type: 'speech_start'; atMs: number }
  /** Text decoded so far in the current utterance (startMs and words are extras for interim results). */
  | { type: 'partial'; text: string; atMs: number; startMs: number; words: SpeechWord[] }
  /**
   * A finished utterance. `truncated` is set when it did not end with its end marker: the stream was
   * flushed mid-utterance, or the marker was lost (then the text ends with U+FFFD).
   */
  | {
      type: 'utterance';
      text: string;
      startMs: number;
      endMs: number;
      words: SpeechWord[];
      truncated?: boolean;
    };

/** A sample must exceed this (PCM16 units) to count as the onset of a start marker. */
const ONSET_THRESHOLD = 1200;
/** Each symbol is analysed in its middle 15 ms, so a grid error up to 2.5 ms is harmless. */
const GUARD_MS = 2.5;
/** When a candidate onset is not a start marker, look again this much later. */
const HUNT_STEP_MS = 2;
/** More silent symbols than this inside an utterance mean its end marker was lost. */
const MAX_SILENT_SYMBOLS = 1;
/** An utterance longer than this (60 s) is cut: the end marker was lost in a continuous signal. */
const MAX_SYMBOLS = 3000;

interface OpenUtterance {
  startSample: number;
  nextSymbol: number;
  chars: string[];
  charStart: number[];
  charEnd: number[];
  silentRun: number;
}

/**
 * Streaming decoder for speech made by synthesizeSpeech. Push PCM16 chunks of any size; times are
 * ms of audio pushed so far. Symbols are read on a grid anchored at each start marker's onset, so a
 * lost or damaged 20 ms frame inside an utterance changes the transcript instead of being skipped.
 */
export class SpeechDecoder {
  readonly sampleRate: number;
  private readonly classifier: SymbolClassifier;
  private readonly guard: number;
  private readonly huntStep: number;
  private buffer = new Int16Array(0);
  /** Absolute index of buffer[0]. */
  private base = 0;
  private length = 0;
  /** Absolute index where the search for the next onset resumes. */
  private scanFrom = 0;
  private utterance: OpenUtterance | undefined;

  constructor(sampleRate: number) {
    assertSampleRate(sampleRate);
    this.sampleRate = sampleRate;
    this.classifier = new SymbolClassifier(sampleRate);
    this.guard = Math.round((GUARD_MS * sampleRate) / 1000);
    this.huntStep = Math.max(1, Math.round((HUNT_STEP_MS * sampleRate) / 1000));
  }

  /** Ms of audio pushed so far. */
  get positionMs(): number {
    return this.ms(this.base + this.length);
  }

  push(pcm: Int16Array): SpeechEvent[] {
    this.append(pcm);
    return this.drain();
  }

  /** Decodes what it can and closes an open utterance (as truncated). Later pushes continue the clock. */
  flush(): SpeechEvent[] {
    const events = this.drain();
    const u = this.utterance;
    if (u) {
      const last = u.charEnd.at(-1) ?? u.startSample + symbolStartSample(1, this.sampleRate);
      this.finish(events, last, true);
      this.scanFrom = this.base + this.length;
    }
    this.compact();
    return events;
  }

  private drain(): SpeechEvent[] {
    const events: SpeechEvent[] = [];
    while (this.utterance ? this.stepUtterance(events) : this.stepIdle(events)) {}
    this.compact();
    return events;
  }

  private stepIdle(events: SpeechEvent[]): boolean {
    const end = this.base + this.length;
    let i = this.scanFrom;
    while (i < end && Math.abs(this.buffer[i - this.base]!) < ONSET_THRESHOLD) i++;
    this.scanFrom = i;
    if (i + symbolStartSample(1, this.sampleRate) > end) return false;
    const reading = this.readSymbol(i, 0);
    if (reading.kind === 'code' && reading.code === START_CODE) {
      this.open(events, i);
    } else {
      this.scanFrom = i + this.huntStep;
    }
    return true;
  }

  private stepUtterance(events: SpeechEvent[]): boolean {
    const u = this.utterance!;
    const symbolStart = u.startSample + symbolStartSample(u.nextSymbol, this.sampleRate);
    const symbolEnd = u.startSample + symbolStartSample(u.nextSymbol + 1, this.sampleRate);
    if (symbolEnd > this.base + this.length) return false;
    const reading = this.readSymbol(u.startSample, u.nextSymbol);
    u.nextSymbol++;

    if (reading.kind === 'silence') {
      u.silentRun++;
      if (u.silentRun > MAX_SILENT_SYMBOLS) {
        const lostAt = symbolStart - (u.silentRun - 1) * (symbolEnd - symbolStart);
        this.addChar(u, UNDECODABLE, lostAt, lostAt + (symbolEnd - symbolStart));
        this.finish(events, u.charEnd.at(-1)!, true);
        this.scanFrom = symbolEnd;
      }
      return true;
    }
    // Silent symbols followed by more signal were damaged frames, not the end of the utterance.
    for (let s = u.silentRun; s > 0; s--) {
      const gapStart = symbolStart - s * (symbolEnd - symbolStart);
      this.addChar(u, UNDECODABLE, gapStart, gapStart + (symbolEnd - symbolStart));
    }
    u.silentRun = 0;

    if (reading.kind === 'code' && reading.code === END_CODE) {
      this.finish(events, symbolEnd, false);
      this.scanFrom = symbolEnd;
      return true;
    }
    // A pause between words at a human pace: time passes, nothing is said.
    if (reading.kind === 'code' && reading.code === HOLD_CODE) return true;
    if (reading.kind === 'code' && reading.code === START_CODE) {
      // A new start marker inside an utterance: the previous end marker was lost.
      this.addChar(u, UNDECODABLE, symbolStart, symbolStart);
      this.finish(events, symbolStart, true);
      this.open(events, symbolStart);
      return true;
    }
    const ch = reading.kind === 'code' ? (characterForCode(reading.code) ?? UNDECODABLE) : UNDECODABLE;
    this.addChar(u, ch, symbolStart, symbolEnd);
    events.push({
      type: 'partial',
      text: u.chars.join(''),
      atMs: this.ms(symbolEnd),
      startMs: this.ms(u.startSample),
      words: this.words(u),
    });
    if (u.nextSymbol >= MAX_SYMBOLS) {
      this.addChar(u, UNDECODABLE, symbolEnd, symbolEnd);
      this.finish(events, symbolEnd, true);
      this.scanFrom = symbolEnd;
    }
    return true;
  }

  private open(events: SpeechEvent[], startSample: number): void {
    this.utterance = { startSample, nextSymbol: 1, chars: [], charStart: [], charEnd: [], silentRun: 0 };
    events.push({ type: 'speech_start', atMs: this.ms(startSample) });
  }

  private addChar(u: OpenUtterance, ch: string, start: number, end: number): void {
    u.chars.push(ch);
    u.charStart.push(start);
    u.charEnd.push(end);
  }

  private finish(events: SpeechEvent[], endSample: number, truncated: boolean): void {
    const u = this.utterance!;
    this.utterance = undefined;
    events.push({
      type: 'utterance',
      text: u.chars.join(''),
      startMs: this.ms(u.startSample),
      endMs: this.ms(endSample),
      words: this.words(u),
      ...(truncated ? { truncated: true } : {}),
    });
  }

  private words(u: OpenUtterance): SpeechWord[] {
    const words: SpeechWord[] = [];
    let from = -1;
    for (let i = 0; i <= u.chars.length; i++) {
      const boundary = i === u.chars.length || u.chars[i] === ' ';
      if (!boundary && from < 0) from = i;
      if (boundary && from >= 0) {
        words.push({
          word: u.chars.slice(from, i).join(''),
          startMs: this.ms(u.charStart[from]!),
          endMs: this.ms(u.charEnd[i - 1]!),
        });
        from = -1;
      }
    }
    return words;
  }

  private readSymbol(utteranceStart: number, index: number): SymbolReading {
    const start = utteranceStart + symbolStartSample(index, this.sampleRate) + this.guard;
    const end = utteranceStart + symbolStartSample(index + 1, this.sampleRate) - this.guard;
    return this.classifier.read(this.buffer, start - this.base, end - start);
  }

  private ms(sample: number): number {
    return Math.round((sample * 1_000_000) / this.sampleRate) / 1000;
  }

  private append(pcm: Int16Array): void {
    if (this.length + pcm.length > this.buffer.length) {
      const grown = new Int16Array(Math.max(this.buffer.length * 2, this.length + pcm.length, 4096));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(pcm, this.length);
    this.length += pcm.length;
  }

  /** Drops samples no future read can need. */
  private compact(): void {
    const u = this.utterance;
    const keepFrom = u ? u.startSample + symbolStartSample(u.nextSymbol, this.sampleRate) : this.scanFrom;
    const drop = Math.min(keepFrom, this.base + this.length) - this.base;
    if (drop <= 0 || drop < this.length / 2) return;
    this.buffer.copyWithin(0, drop, this.length);
    this.base += drop;
    this.length -= drop;
  }
}

/** Decodes a whole recording at once. */
export function decodeSpeech(pcm: Int16Array, sampleRate: number): SpeechEvent[] {
  const decoder = new SpeechDecoder(sampleRate);
  return [...decoder.push(pcm), ...decoder.flush()];
}

/** The utterance texts in a whole recording. */
export function transcribeSpeech(pcm: Int16Array, sampleRate: number): string[] {
  return decodeSpeech(pcm, sampleRate).flatMap((e) => (e.type === 'utterance' ? [e.text] : []));
}
