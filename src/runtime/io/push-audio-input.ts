import { ReadableStream, type ReadableStreamDefaultController } from 'node:stream/web';
import { voice } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';

/**
 * Mean absolute sample value above which a chunk counts as voiced: about -40 dBFS, above a phone
 * line's noise floor and below any speech.
 */
const VOICED_MEAN_ABS = 320;

/** An audio input fed by the transport, one PCM16 mono chunk at a time. */
export class PushAudioInput extends voice.AudioInput {
  private controller: ReadableStreamDefaultController<AudioFrame> | undefined;
  private closed = false;
  /** Seconds of audio delivered to the engine so far. */
  deliveredSeconds = 0;
  /**
   * Epoch ms (on `clock`) at which the last voiced chunk reached the engine: the end of the
   * caller's speech as the line carried it, before any STT endpointing.
   */
  lastVoicedAt: number | undefined;

  constructor(
    private readonly sampleRate: number,
    private readonly clock: () => number = Date.now,
  ) {
    super();
    const stream = new ReadableStream<AudioFrame>({
      start: (controller) => {
        this.controller = controller;
      },
    });
    this.multiStream.addInputStream(stream);
  }

  push(pcm: Int16Array): void {
    if (this.closed || !this.controller) return;
    this.controller.enqueue(new AudioFrame(pcm, this.sampleRate, 1, pcm.length));
    this.deliveredSeconds += pcm.length / this.sampleRate;
    if (isVoiced(pcm)) this.lastVoicedAt = this.clock();
  }

  /** No more audio will come (the line is gone). */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.controller?.close();
    } catch {
      // already closed by a cancelled reader
    }
  }

  override async close(): Promise<void> {
    this.end();
    await super.close();
  }
}

function isVoiced(pcm: Int16Array): boolean {
  if (pcm.length === 0) return false;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += Math.abs(pcm[i]!);
  return sum / pcm.length > VOICED_MEAN_ABS;
}
