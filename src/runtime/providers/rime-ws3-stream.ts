import {
  APIConnectionError,
  type APIConnectOptions,
  APIError,
  createTimedString,
  shortuuid,
  type TimedString,
  tts,
} from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import WebSocket, { type RawData } from 'ws';
import { openProviderSocket } from './open-provider-socket.js';
import { PcmFramer } from './pcm-framer.js';
import type { RimeTTSOptions } from './rime-options.js';

interface Ws3Message {
  type?: string;
  data?: string;
  message?: string;
  word_timestamps?: { words?: string[]; start?: number[]; end?: number[] };
}

/**
 * One reply over Rime's `/ws3` socket: text goes in as the LLM produces it, audio comes back per
 * sentence, and each sentence's word timestamps ride on its last frame as timed transcripts
 * (seconds from the start of this stream's audio), which the audio output uses to tell which
 * words the caller actually heard.
 */
export class RimeWs3Stream extends tts.SynthesizeStream {
  label = 'rime.Ws3Stream';
  private readonly contextId = shortuuid();

  constructor(
    rime: tts.TTS,
    private readonly options: Readonly<RimeTTSOptions>,
    connOptions?: APIConnectOptions,
  ) {
    super(rime, connOptions);
  }

  protected async run(): Promise<void> {
    const ws = await this.connect();
    const requestId = this.contextId;
    const framer = new PcmFramer(this.options.sampleRate);
    let emittedSeconds = 0;
    let sentenceStart: number | undefined;
    let held: AudioFrame | undefined;
    let emitted = 0;

    const put = (frame: AudioFrame, final = false) => {
      if (this.queue.closed) return;
      this.queue.put({ requestId, segmentId: requestId, frame, final });
      emitted++;
    };
    const hold = (frame: AudioFrame) => {
      if (held) put(held);
      held = frame;
      emittedSeconds += frame.samplesPerChannel / frame.sampleRate;
    };

    const onAbort = () => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ operation: 'clear' }));
      ws.close(1000);
    };
    this.abortSignal.addEventListener('abort', onAbort, { once: true });

    const received = new Promise<void>((resolve, reject) => {
      ws.on('message', (data: RawData, isBinary: boolean) => {
        if (isBinary) return;
        let message: Ws3Message;
        try {
          message = JSON.parse(data.toString()) as Ws3Message;
        } catch {
          return;
        }
        if (message.type === 'chunk' && message.data) {
          sentenceStart ??= emittedSeconds;
          for (const frame of framer.push(Buffer.from(message.data, 'base64'))) hold(frame);
        } else if (message.type === 'timestamps') {
          for (const frame of framer.flush()) hold(frame);
          const words = timedWords(message.word_timestamps, sentenceStart ?? emittedSeconds);
          if (held && words.length > 0) Object.assign(held.userdata, { 'lk.timed_transcripts': words });
          sentenceStart = undefined;
        } else if (message.type === 'error') {
          reject(new APIError('Rime TTS stream error', { body: { message: message.message ?? '' } }));
        }
      });
      ws.on('close', (code) => {
        for (const frame of framer.flush()) hold(frame);
        if (code === 1000 || this.abortSignal.aborted) {
          if (held) put(held, true);
          held = undefined;
          resolve();
        } else {
          reject(
            new APIConnectionError({
              message: 'Rime TTS socket closed unexpectedly',
              options: { retryable: emitted === 0 },
            }),
          );
        }
      });
      ws.on('error', () => {
        // 'close' follows and settles the promise.
      });
    });

    try {
      for await (const data of this.input) {
        if (this.abortSignal.aborted || ws.readyState !== WebSocket.OPEN) break;
        if (data === RimeWs3Stream.FLUSH_SENTINEL) {
          ws.send(JSON.stringify({ operation: 'flush', contextId: this.contextId }));
          continue;
        }
        if (!data) continue;
        this.markStarted();
        ws.send(JSON.stringify({ text: data, contextId: this.contextId }));
      }
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ operation: 'eos' }));
      await received;
      if (!this.queue.closed) this.queue.put(tts.SynthesizeStream.END_OF_STREAM);
    } finally {
      this.abortSignal.removeEventListener('abort', onAbort);
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
    }
  }

  private connect(): Promise<WebSocket> {
    const { options } = this;
    const url = new URL(`${options.wsUrl}/ws3`);
    url.searchParams.set('speaker', options.speaker);
    url.searchParams.set('modelId', options.modelId);
    url.searchParams.set('audioFormat', 'pcm');
    url.searchParams.set('samplingRate', String(options.sampleRate));
    url.searchParams.set('segment', 'bySentence');
    if (options.lang) url.searchParams.set('lang', options.lang);
    return openProviderSocket(url, {
      provider: 'Rime TTS',
      authorization: `Bearer ${options.apiKey}`,
      connectTimeoutMs: options.connectTimeoutMs,
    });
  }
}

function timedWords(stamps: Ws3Message['word_timestamps'], offsetSeconds: number): TimedString[] {
  const words = stamps?.words ?? [];
  return words.map((word, i) =>
    createTimedString({
      text: `${word} `,
      startTime: offsetSeconds + (stamps?.start?.[i] ?? 0),
      endTime: offsetSeconds + (stamps?.end?.[i] ?? 0),
    }),
  );
}
