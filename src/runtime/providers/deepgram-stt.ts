import {
  APIConnectionError,
  type APIConnectOptions,
  type AudioBuffer,
  normalizeLanguage,
  stt,
} from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import WebSocket, { type RawData } from 'ws';
import { openProviderSocket } from './open-provider-socket.js';

export interface DeepgramSTTOptions {
  apiKey: string;
  /** e.g. `wss://api.deepgram.com`; the socket is `{baseUrl}/v1/listen`. */
  baseUrl: string;
  model: string;
  language: string;
  sampleRate: number;
  /** Silence (ms of audio) after which Deepgram ends a phrase (`speech_final`). */
  endpointingMs: number;
  /**
   * Gap after the last word (ms) after which Deepgram sends `UtteranceEnd`: the end of turn when
   * `speech_final` does not come, which Deepgram documents for background noise. Default 1000
   * (its recommended minimum; it analyses in 1 s windows).
   */
  utteranceEndMs?: number;
  punctuate?: boolean;
  connectTimeoutMs?: number;
}

interface ResultsMessage {
  type: 'Results';
  is_final?: boolean;
  speech_final?: boolean;
  start?: number;
  duration?: number;
  channel?: { alternatives?: { transcript?: string; confidence?: number }[] };
  metadata?: { request_id?: string };
}

const DEFAULT_UTTERANCE_END_MS = 1000;

type DeepgramMessage = ResultsMessage | { type: 'SpeechStarted' | 'UtteranceEnd' | 'Metadata' | string };

/**
 * Deepgram live transcription (`/v1/listen`, linear16 at the line's rate) as a LiveKit STT.
 * Written here rather than taken from `@livekit/agents-plugin-deepgram` 1.9.0, whose stream never
 * notices its socket dropping (the close monitor is passed to `Promise.all` as a Task, not a
 * promise), so a dropped connection silently stops all transcription. This stream fails the
 * attempt on an unexpected close and the framework reconnects it, losing no audio.
 */
export class DeepgramSTT extends stt.STT {
  label = 'deepgram.STT';

  constructor(readonly options: Readonly<DeepgramSTTOptions>) {
    super({ streaming: true, interimResults: true, alignedTranscript: false });
  }

  override get model(): string {
    return this.options.model;
  }

  override get provider(): string {
    return 'deepgram';
  }

  async _recognize(_buffer: AudioBuffer): Promise<stt.SpeechEvent> {
    throw new Error('DeepgramSTT transcribes streams only');
  }

  stream(options?: { connOptions?: APIConnectOptions }): DeepgramSpeechStream {
    return new DeepgramSpeechStream(this, options?.connOptions);
  }
}

type InputItem = AudioFrame | symbol;

export class DeepgramSpeechStream extends stt.SpeechStream {
  label = 'deepgram.SpeechStream';
  /** A read from the input begun by an attempt whose socket died; the next attempt takes it over. */
  private pendingRead: Promise<IteratorResult<InputItem>> | undefined;
  private speaking = false;

  constructor(
    private readonly deepgram: DeepgramSTT,
    connOptions?: APIConnectOptions,
  ) {
    super(deepgram, deepgram.options.sampleRate, connOptions);
  }

  protected async run(): Promise<void> {
    const ws = await this.connect();
    let closing = false;
    let lost: Error | undefined;
    let onLost: ((err: Error) => void) | undefined;
    ws.once('close', (code) => {
      if (closing) return;
      lost = new APIConnectionError({ message: `Deepgram socket closed (${code})` });
      onLost?.(lost);
    });
    const ended = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) this.onMessage(data.toString());
    });
    const keepAlive = setInterval(() => send(ws, JSON.stringify({ type: 'KeepAlive' })), 5000);
    try {
      for (;;) {
        this.pendingRead ??= this.input.next();
        // Not Promise.race with one long-lived "lost" promise: every race leaves a reaction on it
        // that holds the frame it read, so each frame of the call stayed in memory until the end.
        const read = this.pendingRead;
        const result = await new Promise<IteratorResult<InputItem>>((resolve, reject) => {
          if (lost) return reject(lost);
          onLost = reject;
          read.then(resolve, reject);
        });
        onLost = undefined;
        this.pendingRead = undefined;
        if (result.done || this.abortController.signal.aborted) break;
        const item = result.value;
        if (typeof item === 'symbol') send(ws, JSON.stringify({ type: 'Finalize' }));
        else if (item.samplesPerChannel > 0)
          send(ws, Buffer.from(item.data.buffer, item.data.byteOffset, item.samplesPerChannel * 2));
      }
      closing = true;
      send(ws, JSON.stringify({ type: 'CloseStream' }));
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    } finally {
      closing = true;
      clearInterval(keepAlive);
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
    }
  }

  private connect(): Promise<WebSocket> {
    const o = this.deepgram.options;
    const url = new URL(`${o.baseUrl.replace(/\/$/, '')}/v1/listen`);
    const params: Record<string, string> = {
      model: o.model,
      language: o.language,
      encoding: 'linear16',
      sample_rate: String(o.sampleRate),
      channels: '1',
      interim_results: 'true',
      vad_events: 'true',
      endpointing: String(o.endpointingMs),
      utterance_end_ms: String(o.utteranceEndMs ?? DEFAULT_UTTERANCE_END_MS),
      punctuate: String(o.punctuate ?? true),
    };
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return openProviderSocket(url, {
      provider: 'Deepgram',
      authorization: `Token ${o.apiKey}`,
      connectTimeoutMs: o.connectTimeoutMs,
    });
  }

  private onMessage(raw: string): void {
    let message: DeepgramMessage;
    try {
      message = JSON.parse(raw) as DeepgramMessage;
    } catch {
      return;
    }
    if (message.type === 'SpeechStarted') {
      this.startSpeech();
    } else if (message.type === 'UtteranceEnd') {
      // The fallback end of turn: speech_final never came (noise kept the endpoint from firing).
      this.endSpeech();
    } else if (message.type === 'Results') {
      const results = message as ResultsMessage;
      const best = results.channel?.alternatives?.[0];
      const text = best?.transcript ?? '';
      if (text) {
        this.startSpeech();
        const start = (results.start ?? 0) + this.startTimeOffset;
        this.put({
          type: results.is_final
            ? stt.SpeechEventType.FINAL_TRANSCRIPT
            : stt.SpeechEventType.INTERIM_TRANSCRIPT,
          requestId: results.metadata?.request_id,
          alternatives: [
            {
              language: normalizeLanguage(this.deepgram.options.language),
              text,
              startTime: start,
              endTime: start + (results.duration ?? 0),
              confidence: best?.confidence ?? 0,
            },
          ],
        });
      }
      if (results.speech_final) this.endSpeech();
    }
  }

  private startSpeech(): void {
    if (this.speaking) return;
    this.speaking = true;
    this.put({ type: stt.SpeechEventType.START_OF_SPEECH });
  }

  private endSpeech(): void {
    if (!this.speaking) return;
    this.speaking = false;
    this.put({ type: stt.SpeechEventType.END_OF_SPEECH });
  }

  private put(event: stt.SpeechEvent): void {
    if (!this.queue.closed) this.queue.put(event);
  }
}

function send(ws: WebSocket, data: string | Buffer): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(data);
}
