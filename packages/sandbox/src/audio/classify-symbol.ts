import { HIGH_TONES_HZ, LOW_TONES_HZ } from './alphabet.js';
import { ToneBank } from './goertzel.js';

export type SymbolReading = { kind: 'silence' } | { kind: 'noise' } | { kind: 'code'; code: number };

/** Below this RMS (PCM16 units, ≈ −33 dBFS) a window is silence. Tones are ≥ 0.3 × 0.7 of full scale. */
const SILENCE_RMS = 700;
/** The winning tone of a group must be this many times stronger than the runner-up. */
const GROUP_DOMINANCE = 2;
/** The two winning tones must carry at least this share of the window's energy. */
const TONE_ENERGY_SHARE = 0.5;
/**
 * A symbol is steady: the quietest third of the window must keep this share of the loudest third's
 * energy. A dual tone's beat moves it by ±21% at most; a frame cut or zeroed across a symbol boundary
 * empties a whole third of one of the two windows it touches.
 */
const STEADINESS = 0.3;
const PARTS = 3;

/** Reads one symbol window: silence, a valid dual-tone code, or noise (anything else). */
export class SymbolClassifier {
  private readonly bank: ToneBank;
  private readonly amplitudes: Float64Array;

  constructor(sampleRate: number) {
    this.bank = new ToneBank([...LOW_TONES_HZ, ...HIGH_TONES_HZ], sampleRate);
    this.amplitudes = new Float64Array(this.bank.size);
  }

  read(samples: Int16Array, start: number, length: number): SymbolReading {
    const parts = partEnergies(samples, start, length);
    const meanSquare = parts.reduce((a, b) => a + b, 0) / length;
    if (meanSquare < SILENCE_RMS * SILENCE_RMS) return { kind: 'silence' };
    if (Math.min(...parts) < STEADINESS * Math.max(...parts)) return { kind: 'noise' };
    this.bank.measure(samples, start, length, this.amplitudes);
    const low = strongest(this.amplitudes, 0, LOW_TONES_HZ.length);
    const high = strongest(this.amplitudes, LOW_TONES_HZ.length, HIGH_TONES_HZ.length);
    const toneEnergy = (low.amplitude ** 2 + high.amplitude ** 2) / 2;
    const clean =
      low.amplitude >= GROUP_DOMINANCE * low.runnerUp &&
      high.amplitude >= GROUP_DOMINANCE * high.runnerUp &&
      toneEnergy >= TONE_ENERGY_SHARE * meanSquare;
    if (!clean) return { kind: 'noise' };
    return { kind: 'code', code: low.index * HIGH_TONES_HZ.length + high.index };
  }
}

function partEnergies(samples: Int16Array, start: number, length: number): number[] {
  const parts: number[] = [];
  for (let p = 0; p < PARTS; p++) {
    let energy = 0;
    const end = start + Math.round(((p + 1) * length) / PARTS);
    for (let n = start + Math.round((p * length) / PARTS); n < end; n++) energy += samples[n]! * samples[n]!;
    parts.push(energy);
  }
  return parts;
}

function strongest(values: Float64Array, from: number, count: number) {
  let index = 0;
  let amplitude = -1;
  let runnerUp = 0;
  for (let i = 0; i < count; i++) {
    const v = values[from + i]!;
    if (v > amplitude) {
      runnerUp = Math.max(runnerUp, amplitude);
      amplitude = v;
      index = i;
    } else if (v > runnerUp) {
      runnerUp = v;
    }
  }
  return { index, amplitude, runnerUp };
}
