import { ReadableStream, type ReadableStreamDefaultController } from 'node:stream/web';
import { voice } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';

/** An audio input fed by the transport, one PCM16 mono chunk at a time. */
export class PushAudioInput extends voice.AudioInput {
  private controller: ReadableStreamDefaultController<AudioFrame> | undefined;
  private closed = false;
  /** Seconds of audio delivered to the engine so far. */
  deliveredSeconds = 0;

  constructor(private readonly sampleRate: number) {
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
