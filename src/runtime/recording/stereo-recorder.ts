import type { AudioTap } from '../io/call-io.js';

const CHUNK_SAMPLES = 8000;

/** One channel of PCM16 placed by time, growing in chunks; unwritten stretches are silence. */
class Track {
  private readonly chunks: Int16Array[] = [];
  length = 0;

  constructor(private readonly sampleRate: number) {}

  write(pcm: Int16Array, atMs: number): void {
    const start = Math.max(0, Math.round((atMs * this.sampleRate) / 1000));
    // Copied a chunk's span at a time: a 20 ms frame is one or two spans, not 160 indexed stores.
    let done = 0;
    while (done < pcm.length) {
      const index = start + done;
      const chunk = Math.floor(index / CHUNK_SAMPLES);
      const offset = index % CHUNK_SAMPLES;
      while (this.chunks.length <= chunk) this.chunks.push(new Int16Array(CHUNK_SAMPLES));
      const n = Math.min(pcm.length - done, CHUNK_SAMPLES - offset);
      this.chunks[chunk]!.set(pcm.subarray(done, done + n), offset);
      done += n;
    }
    this.length = Math.max(this.length, start + pcm.length);
  }

  /** Silences everything from `atMs` on (audio that was queued but never played). */
  cut(atMs: number): void {
    const from = Math.max(0, Math.round((atMs * this.sampleRate) / 1000));
    for (let index = from; index < this.length; index++) {
      const chunk = this.chunks[Math.floor(index / CHUNK_SAMPLES)];
      if (chunk) chunk[index % CHUNK_SAMPLES] = 0;
    }
  }

  /** Copies samples [from, from + out.length) into `out`; absent chunks stay silent. */
  read(from: number, out: Int16Array): void {
    let done = 0;
    while (done < out.length) {
      const index = from + done;
      const offset = index % CHUNK_SAMPLES;
      const n = Math.min(out.length - done, CHUNK_SAMPLES - offset);
      const chunk = this.chunks[Math.floor(index / CHUNK_SAMPLES)];
      if (chunk) out.set(chunk.subarray(offset, offset + n), done);
      else out.fill(0, done, done + n);
      done += n;
    }
  }
}

/**
 * Tees both directions of a call into a stereo recording on the line's clock: the caller on the
 * left channel, the agent on the right, agent audio dropped by a barge-in removed again.
 */
export class StereoRecorder implements AudioTap {
  private readonly left: Track;
  private readonly right: Track;

  constructor(readonly sampleRate: number) {
    this.left = new Track(sampleRate);
    this.right = new Track(sampleRate);
  }

  caller(pcm: Int16Array, atMs: number): void {
    this.left.write(pcm, atMs);
  }

  agent(pcm: Int16Array, atMs: number): void {
    this.right.write(pcm, atMs);
  }

  agentCut(atMs: number): void {
    this.right.cut(atMs);
  }

  get durationMs(): number {
    return Math.round((Math.max(this.left.length, this.right.length) * 1000) / this.sampleRate);
  }

  /** A 16-bit stereo WAV file of everything recorded. */
  toWav(): Buffer {
    const frames = Math.max(this.left.length, this.right.length);
    const dataBytes = frames * 4;
    const wav = Buffer.alloc(44 + dataBytes);
    wav.write('RIFF', 0, 'ascii');
    wav.writeUInt32LE(36 + dataBytes, 4);
    wav.write('WAVE', 8, 'ascii');
    wav.write('fmt ', 12, 'ascii');
    wav.writeUInt32LE(16, 16);
    wav.writeUInt16LE(1, 20);
    wav.writeUInt16LE(2, 22);
    wav.writeUInt32LE(this.sampleRate, 24);
    wav.writeUInt32LE(this.sampleRate * 4, 28);
    wav.writeUInt16LE(4, 32);
    wav.writeUInt16LE(16, 34);
    wav.write('data', 36, 'ascii');
    wav.writeUInt32LE(dataBytes, 40);
    // Interleaved a block at a time through plain arrays: per-sample Buffer writes made this a
    // 40–90 ms synchronous stall at the end of every 30 s call, which every other call on the
    // process felt as late frames.
    const view = new DataView(wav.buffer, wav.byteOffset, wav.length);
    const left = new Int16Array(CHUNK_SAMPLES);
    const right = new Int16Array(CHUNK_SAMPLES);
    for (let from = 0; from < frames; from += CHUNK_SAMPLES) {
      const n = Math.min(CHUNK_SAMPLES, frames - from);
      const l = left.subarray(0, n);
      const r = right.subarray(0, n);
      this.left.read(from, l);
      this.right.read(from, r);
      let at = 44 + from * 4;
      for (let i = 0; i < n; i++, at += 4) {
        view.setInt16(at, l[i]!, true);
        view.setInt16(at + 2, r[i]!, true);
      }
    }
    return wav;
  }
}

/** Reads back what toWav wrote (for tests and playback checks). */
export function readStereoWav(wav: Buffer): { sampleRate: number; left: Int16Array; right: Int16Array } {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.readUInt16LE(22) !== 2)
    throw new Error('not a stereo WAV');
  const sampleRate = wav.readUInt32LE(24);
  const frames = wav.readUInt32LE(40) / 4;
  const left = new Int16Array(frames);
  const right = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = wav.readInt16LE(44 + i * 4);
    right[i] = wav.readInt16LE(46 + i * 4);
  }
  return { sampleRate, left, right };
}
