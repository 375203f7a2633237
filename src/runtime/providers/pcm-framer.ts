import { AudioFrame } from '@livekit/rtc-node';

/**
 * Cuts a PCM16 LE byte stream (arbitrary chunk boundaries, even odd byte counts) into mono frames
 * of a fixed duration; `flush()` returns the remainder as one shorter frame.
 */
export class PcmFramer {
  private readonly frameBytes: number;
  private pending = Buffer.alloc(0);

  constructor(
    private readonly sampleRate: number,
    frameMs = 20,
  ) {
    this.frameBytes = Math.round((sampleRate * frameMs) / 1000) * 2;
  }

  push(chunk: Uint8Array): AudioFrame[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const frames: AudioFrame[] = [];
    let offset = 0;
    while (this.pending.length - offset >= this.frameBytes) {
      frames.push(this.frame(this.pending.subarray(offset, offset + this.frameBytes)));
      offset += this.frameBytes;
    }
    this.pending = this.pending.subarray(offset);
    return frames;
  }

  flush(): AudioFrame[] {
    const usable = this.pending.length - (this.pending.length % 2);
    const rest = this.pending.subarray(0, usable);
    this.pending = Buffer.alloc(0);
    return rest.length === 0 ? [] : [this.frame(rest)];
  }

  private frame(bytes: Buffer): AudioFrame {
    const samples = new Int16Array(bytes.length / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
    return new AudioFrame(samples, this.sampleRate, 1, samples.length);
  }
}
