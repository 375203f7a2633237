import { mulawDecode } from '../audio/index.js';
import type { AudioEncoding } from './listen-params.js';

/**
 * Splits raw audio frames into per-channel PCM16. Frames may cut a sample or an interleaved
 * sample group anywhere; the remainder waits for the next frame.
 */
export class AudioInput {
  private readonly bytesPerSample: number;
  private carry: Buffer = Buffer.alloc(0);

  constructor(
    private readonly encoding: AudioEncoding,
    private readonly channels: number,
  ) {
    this.bytesPerSample = encoding === 'linear16' ? 2 : 1;
  }

  /** Bytes per second of audio, for usage. */
  bytesPerSecond(sampleRate: number): number {
    return this.bytesPerSample * this.channels * sampleRate;
  }

  /** One Int16Array per channel (possibly empty). */
  push(bytes: Buffer): Int16Array[] {
    const data = this.carry.length ? Buffer.concat([this.carry, bytes]) : bytes;
    const group = this.bytesPerSample * this.channels;
    const usable = data.length - (data.length % group);
    this.carry = Buffer.from(data.subarray(usable));
    const interleaved = this.decode(data.subarray(0, usable));
    if (this.channels === 1) return [interleaved];
    const frames = interleaved.length / this.channels;
    return Array.from({ length: this.channels }, (_, c) => {
      const out = new Int16Array(frames);
      for (let i = 0; i < frames; i++) out[i] = interleaved[i * this.channels + c]!;
      return out;
    });
  }

  private decode(bytes: Buffer): Int16Array {
    if (this.encoding === 'mulaw') return mulawDecode(bytes);
    const out = new Int16Array(bytes.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
    return out;
  }
}

/** Mixes channels down to one (what a single-channel transcript hears). */
export function mixDown(channels: Int16Array[]): Int16Array {
  if (channels.length === 1) return channels[0]!;
  const out = new Int16Array(channels[0]?.length ?? 0);
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (const channel of channels) sum += channel[i]!;
    out[i] = Math.round(sum / channels.length);
  }
  return out;
}
