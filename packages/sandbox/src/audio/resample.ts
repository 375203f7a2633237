/** Linear-interpolation resampler: what a cheap audio path does; no anti-alias filter. */
export function linearResample(pcm: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return pcm.slice();
  const outLength = Math.floor((pcm.length * toRate) / fromRate);
  const out = new Int16Array(outLength);
  const step = fromRate / toRate;
  for (let i = 0; i < outLength; i++) {
    const pos = i * step;
    const k = Math.floor(pos);
    const frac = pos - k;
    const a = pcm[k] ?? 0;
    const b = pcm[k + 1] ?? a;
    out[i] = Math.round(a + (b - a) * frac);
  }
  return out;
}
