/**
 * Goertzel filters for a fixed set of frequencies: the amplitude of each tone in a window, in the
 * same units as the samples. Cheaper than an FFT when only a few frequencies matter.
 */
export class ToneBank {
  private readonly coefficients: Float64Array;

  constructor(frequenciesHz: readonly number[], sampleRate: number) {
    this.coefficients = Float64Array.from(frequenciesHz, (f) => 2 * Math.cos((2 * Math.PI * f) / sampleRate));
  }

  get size(): number {
    return this.coefficients.length;
  }

  /** Writes the amplitude of each tone over the window into `out`. */
  measure(samples: Int16Array, start: number, length: number, out: Float64Array): void {
    for (let f = 0; f < this.coefficients.length; f++) {
      const c = this.coefficients[f]!;
      let s1 = 0;
      let s2 = 0;
      for (let n = start; n < start + length; n++) {
        const s0 = samples[n]! + c * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      const power = Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2);
      out[f] = (2 * Math.sqrt(power)) / length;
    }
  }
}
